/**
 * One expensive thing (a world of simulators, a service, a database) shared by the tests of a describe block or a
 * file: `useForAll` registers the beforeAll that starts it and the afterAll that closes it, and returns a handle
 * that stands for it. The handle is usable in tests and hooks; touched in a describe body (before beforeAll ran),
 * after its setup failed or after afterAll closed it, it throws an error that says which of these happened instead of
 * "cannot read properties of undefined". afterAll closes only what started, so a failed setup does not add a second,
 * misleading error.
 */
export function useForAll<T extends object>(what: string, start: () => Promise<T>, close: (value: T) => Promise<unknown>): T {
  let state: { kind: 'pending' | 'failed' | 'closed' } | { kind: 'ready'; value: T } = { kind: 'pending' };
  beforeAll(async () => {
    try {
      state = { kind: 'ready', value: await start() };
    } catch (err) {
      state = { kind: 'failed' };
      throw err;
    }
  });
  afterAll(async () => {
    if (state.kind !== 'ready') return;
    const { value } = state;
    state = { kind: 'closed' };
    await close(value);
  });
  const live = (): T => {
    if (state.kind === 'ready') return state.value;
    const why = {
      pending: 'before its beforeAll started it (use it inside tests and hooks, not in the describe body)',
      failed: 'but its setup failed (see the beforeAll error)',
      closed: 'after its afterAll closed it',
    }[state.kind];
    throw new Error(`${what} was used ${why}`);
  };
  return new Proxy({} as T, {
    get(_target, property) {
      const target = live();
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    has: (_target, property) => Reflect.has(live(), property),
    set: (_target, property, value) => Reflect.set(live(), property, value),
    ownKeys: () => Reflect.ownKeys(live()),
    getOwnPropertyDescriptor: (_target, property) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(live(), property);
      // A proxy may not report a property as non-configurable when its (empty) target has none.
      return descriptor && { ...descriptor, configurable: true };
    },
  });
}
