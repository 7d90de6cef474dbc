/**
 * Scopes your product's own Make calls need, beyond the starter's (GRANTABLE_SCOPES in
 * lib/make/client/calls.ts): "Grant access" may ask Make for these. Add one when a call of yours needs it.
 */

export const PRODUCT_MAKE_SCOPES: readonly string[] = [];
