// Auth edge cases with several processes (issue #8, item 9): two gateways, each with its own auth
// subgraph instance, on one database (and one Redis when REDIS_URL is set). The per-client
// sign-in rate limit and the per-username lockout count attempts over both, in Redis and in
// Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../ports.ts';
import { startStack, type Stack } from '../stack.ts';

const LIMIT = 10;

const modes: { name: string; redis: string | undefined }[] = [
  { name: 'Redis', redis: process.env.REDIS_URL },
  { name: 'Postgres', redis: undefined },
];

describe.each(modes)('two gateways and two auth instances sharing $name', ({ name, redis }) => {
  let stack: Stack;
  let originB: string;
  const extra: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    if (name === 'Redis' && !redis) return;
    stack = await startStack({ STRATA_LOGIN_RATE_LIMIT: String(LIMIT), REDIS_URL: redis });
    const [{ start: startAuth }, { start: startGateway }] = await Promise.all([import('@strata/auth/server'), import('@strata/gateway/server')]);
    const authB = await startAuth({ ...stack.env, PORT: '0' });
    extra.push(authB);
    const gwB = await startGateway({ ...stack.env, AUTH_URL: authB.url, PORT: String(await freePort()) });
    extra.push(gwB);
    originB = gwB.url;
  });
  afterAll(async () => {
    for (const s of extra.reverse()) await s.close().catch(() => {});
    await stack?.close();
  });

  const login = async (origin: string, username: string) => {
    const r = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation($u: String!) { login(username: $u, password: "wrong-password") { access_token } }', variables: { u: username } }),
    });
    const body = (await r.json()) as { errors?: { message: string }[] };
    return { status: r.status, message: body.errors?.[0]?.message ?? '' };
  };

  it.skipIf(name === 'Redis' && !redis)('locks a username after five failures spread over both, then limits the client by the sum of its attempts', async () => {
    const origins = [stack.origin, originB];
    const answers: { status: number; message: string }[] = [];
    // lockout: failures 1-5 alternate between the two gateways (and so the two auth instances)
    for (let i = 0; i < 5; i++) answers.push(await login(origins[i % 2]!, 'victim'));
    expect(answers.map((a) => a.message)).toEqual(Array(5).fill('Invalid username or password'));
    const locked = await login(originB, 'victim');
    answers.push(locked);
    expect(locked.message).toMatch(/Too many failed logins/);
    const lockedA = await login(stack.origin, 'victim');
    answers.push(lockedA);
    expect(lockedA.message).toMatch(/Too many failed logins/);

    // per-client limit: the attempts above already count; keep alternating until the sum is reached
    while (answers.length < LIMIT) answers.push(await login(origins[answers.length % 2]!, `other${answers.length}`));
    expect(answers.filter((a) => a.status === 429)).toEqual([]);
    const over = [await login(stack.origin, 'other-a'), await login(originB, 'other-b')];
    expect(over.map((a) => a.status)).toEqual([429, 429]);
  });
});
