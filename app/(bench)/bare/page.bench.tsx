/**
 * The baseline of `npm run bench`: a dynamic page rendered per request with the root layout, like
 * /dashboard, but with no session, no database and no call to Make. Whatever /dashboard costs beyond this
 * page (time, client JavaScript) is the cost of auth, the database and Make. It shows nothing private.
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
