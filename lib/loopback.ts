/**
 * Whether a host is this machine (localhost, 127.0.0.0/8, [::1]): the only hosts a production server may
 * reach over plain http, which is how it reaches the local Make stand-in in tests.
 */
export const isLoopbackHost = (host: string): boolean =>
  /^(localhost|.+\.localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(host.replace(/:\d+$/, ""));
