/**
 * The baseline of `npm run bench`: a dynamic page with the root layout, like /dashboard, but no session,
 * database or call to Make. Built only into benchmark builds (BENCH_BUILD=1, see bench/README.md); not a
 * route of the app.
 */
import { connection } from "next/server";

export const metadata = { title: "Benchmark baseline", robots: { index: false } };

export default async function BarePage() {
  await connection();
  return (
    <main className="mx-auto max-w-4xl px-6 py-8">
      <h1 className="text-2xl font-bold">Benchmark baseline</h1>
      <p className="mt-2 text-slate-600">Rendered at {new Date().toISOString()}.</p>
    </main>
  );
}
