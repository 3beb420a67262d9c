// Preloaded into every service the launcher starts (`node --import tsx --import <this file>`).
// Node has no "kill me when my parent dies" (prctl PR_SET_PDEATHSIG): when the launcher is
// SIGKILLed, this notices that the parent is gone and sends SIGTERM to this process, so the
// service runs its own clean shutdown instead of lingering on its port.
const launcherPid = Number.parseInt(process.env.STRATA_LAUNCHER_PID ?? '', 10);

if (Number.isInteger(launcherPid) && launcherPid > 0 && process.ppid === launcherPid) {
  const timer = setInterval(() => {
    if (process.ppid === launcherPid) return;
    clearInterval(timer);
    // a service without SIGTERM handler dies right here; one with a handler gets 10 s to finish
    setTimeout(() => process.exit(1), 10_000).unref();
    process.kill(process.pid, 'SIGTERM');
  }, 500);
  timer.unref();
}

export {};
