/**
 * `/bare`, the baseline of `npm run bench`: a dynamic page with the root layout, like /dashboard, but no
 * session, database or call to Make. Not a route of the app: the bench copies it into app/ for its own build
 * only (bench/README.md, "How it runs").
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
