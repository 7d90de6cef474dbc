/** Shown while the page asks for the granted scopes and the organizations (usually cached). */
export default function Loading() {
  return (
    <div className="space-y-4" data-loading="scenarios" aria-busy>
      <h1 className="text-2xl font-bold">Your Make scenarios</h1>
      <p className="text-sm text-slate-600 dark:text-slate-300">Asking Make for your organizations…</p>
      <div className="h-32 animate-pulse rounded-xl bg-slate-200 dark:bg-slate-800" />
    </div>
  );
}
