// Lets a script run the app's server modules in plain Node: `server-only` (which throws outside React's
// server build) resolves to an empty module. Next's own modules need React's ordinary build, so the
// react-server condition cannot be used instead. Loaded with `node --import`.
import { register } from "node:module";

register(
  "data:text/javascript," +
    encodeURIComponent(`export async function resolve(specifier, context, next) {
  if (specifier === "server-only") return { url: "data:text/javascript,export{}", shortCircuit: true };
  return next(specifier, context);
}`),
);
