import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { env } from "@/lib/env";
import { site } from "@/lib/site";
import "./globals.css";

// Every page and server action below: long enough for a Make token refresh to finish under its lease, or a
// revocation to be delivered (lib/make/README.md, "Time limits on the platform").
export const maxDuration = 60;

export const metadata: Metadata = {
  // Social cards (the landing page's) need absolute URLs; without AUTH_URL, Next uses Vercel's URL on Vercel.
  metadataBase: env.AUTH_URL ? new URL(env.AUTH_URL) : undefined,
  title: { default: site.name, template: `%s · ${site.name}` },
  description: site.description,
  applicationName: site.name,
  icons: {
    icon: [
      { url: "/favicon.ico", sizes: "16x16 32x32 48x48" },
      { url: "/icon.svg", type: "image/svg+xml" },
    ],
    apple: "/apple-touch-icon.png",
  },
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f8fafc" },
    { media: "(prefers-color-scheme: dark)", color: "#020617" },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
