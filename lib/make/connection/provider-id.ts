/**
 * The Auth.js provider id of Make: the `provider` column of its Account rows and the path of its callback
 * (/api/auth/callback/make), in a module of its own so that the token lifecycle and the session read name
 * Make's rows without loading the provider. Changing it changes the callback URL registered with Make.
 */
export const MAKE_PROVIDER_ID = "make";
