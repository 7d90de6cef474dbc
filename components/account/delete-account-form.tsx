"use client";
/**
 * "Delete account", confirmed by typing DELETE. A real form posting a server action (it works before
 * JavaScript loads); with JavaScript, a refused confirmation is shown without a reload.
 */
import { useActionState } from "react";

interface State {
  error?: string;
}

export function DeleteAccountForm({
  action,
}: {
  action: (state: State, formData: FormData) => Promise<State>;
}) {
  const [state, formAction, pending] = useActionState(action, {});
  return (
    <form action={formAction} className="mt-4 space-y-3">
      <div>
        <label htmlFor="delete-confirm" className="block text-sm font-medium">
          Type DELETE to confirm
        </label>
        <input
          id="delete-confirm"
          name="confirm"
          type="text"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={state.error ? "delete-error" : undefined}
          className="mt-1 w-full max-w-xs rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-950"
        />
      </div>
      {state.error && (
        <p id="delete-error" role="alert" className="text-sm text-red-700 dark:text-red-300">
          {state.error}
        </p>
      )}
      <button
        type="submit"
        disabled={pending}
        className="rounded-lg bg-red-700 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-red-800 disabled:opacity-60 dark:bg-red-600 dark:hover:bg-red-500"
      >
        Delete account
      </button>
    </form>
  );
}
