import type { SignInFailure } from "@/lib/auth";

/** What each failed sign-in means, in words a person can act on. */
export const SIGN_IN_FAILURE_MESSAGES: Record<SignInFailure, { title: string; detail: string }> = {
  access_denied: {
    title: "You declined access",
    detail:
      "Make did not share your account because the request was declined. You can try again whenever you like.",
  },
  state_mismatch: {
    title: "This sign-in could not be matched to your browser",
    detail:
      "The reply from Make did not belong to a sign-in started in this browser, or it took too long. For your safety it was ignored. Please start again.",
  },
  code_rejected: {
    title: "This sign-in link was already used or has expired",
    detail: "Make refused the one-time code in the link. Please start the sign-in again.",
  },
  id_token_invalid: {
    title: "Make's answer could not be verified",
    detail: "The identity Make sent failed a security check, so it was not trusted. Please try again later.",
  },
  issuer_mismatch: {
    title: "The answer came from the wrong server",
    detail: "The reply did not come from the Make server this app is configured for, so it was ignored.",
  },
  userinfo_mismatch: {
    title: "Make's profile did not match your identity",
    detail: "The profile Make returned belonged to a different account than the one that signed in.",
  },
  make_unreachable: {
    title: "Make could not be reached",
    detail: "We could not talk to Make just now. Please try again in a moment.",
  },
  account_in_use: {
    title: "That Make account belongs to another user",
    detail: "The Make account you chose is already connected to a different user of this app.",
  },
  make_account_mismatch: {
    title: "Your account here is connected to another Make user",
    detail:
      "Each account of this app has one Make account. Nothing was changed. " +
      "To use a different Make account, sign out and sign in with it.",
  },
  make_error: {
    title: "Make could not complete the sign-in",
    detail: "Make answered with an error. Please try again later.",
  },
  forged_request: {
    title: "This request was refused",
    detail:
      "It did not come from this app's own pages, so nothing was changed. If you meant to sign in or out, use the buttons on this site.",
  },
  service_unavailable: {
    title: "The app is temporarily unavailable",
    detail:
      "We could not reach our database just now, so the sign-in was stopped and nothing was saved. Please try again in a few minutes.",
  },
  server_error: {
    title: "Something went wrong on our side",
    detail: "The sign-in could not be completed. Nothing was saved. Please try again in a moment.",
  },
};
