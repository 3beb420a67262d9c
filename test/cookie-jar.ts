// A minimal cookie jar for tests that play a browser against one origin: keeps Set-Cookie values
// (Max-Age=0 deletes) and sends the ones whose Path matches.
export class CookieJar {
  readonly cookies = new Map<string, { value: string; path: string; raw: string }>();

  /** Stores the response's cookies and returns its raw Set-Cookie values. */
  take(res: Response): string[] {
    const set = res.headers.getSetCookie();
    for (const c of set) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = decodeURIComponent(pair!.slice(i + 1).trim());
      const path = /;\s*Path=([^;]+)/i.exec(c)?.[1]?.trim() ?? '/';
      if (/;\s*Max-Age=0/i.test(c) || /;\s*Expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, { value, path, raw: c });
    }
    return set;
  }

  /** The Cookie header for a request to `path`. */
  header(path = '/'): string {
    return [...this.cookies.entries()]
      .filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) || c.path === '/')
      .map(([n, c]) => `${n}=${encodeURIComponent(c.value)}`)
      .join('; ');
  }

  get(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }
}
