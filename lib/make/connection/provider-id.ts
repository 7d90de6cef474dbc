/**
 * The Auth.js provider id of Make: the `provider` column of its Account rows and the path of its OAuth
 * callback (/api/auth/callback/make). Its own module so that code away from Auth.js (the token lifecycle,
 * the session read) names Make's rows without loading the provider.
 */
export const MAKE_PROVIDER_ID = "make";
