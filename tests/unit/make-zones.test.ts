import { describe, expect, it } from "vitest";
import {
  allowedZoneHost,
  ForbiddenZoneError,
  isPinnedToOneZone,
  zoneEndpoint,
} from "@/lib/make/client/zones";

describe("Make API zones (MAKE_API_URL)", () => {
  it("fills the default template with the organization's zone", () => {
    expect(zoneEndpoint("us2.make.com", "https://{zone}/api/v2", [])).toEqual({
      protocol: "https",
      host: "us2.make.com",
      version: 2,
      baseUrl: "https://us2.make.com/api/v2",
    });
    expect(zoneEndpoint("eu1.make.celonis.com", "https://{zone}/api/v2", []).baseUrl).toBe(
      "https://eu1.make.celonis.com/api/v2",
    );
  });

  it("keeps a local zone's port and plain http (the stand-in's zones)", () => {
    expect(zoneEndpoint("127.0.0.1:4012", "http://{zone}/api/v2", ["127.0.0.1:4012"])).toEqual({
      protocol: "http",
      host: "127.0.0.1:4012",
      version: 2,
      baseUrl: "http://127.0.0.1:4012/api/v2",
    });
  });

  it("sends no token over plain http to a zone that is not this machine, even one of Make's", () => {
    for (const zone of ["eu1.make.com", "zone.example:8080"])
      expect(() => zoneEndpoint(zone, "http://{zone}/api/v2", ["zone.example:8080"])).toThrow(
        ForbiddenZoneError,
      );
  });

  it("sends every zone to a fixed URL without {zone}, path prefix included", () => {
    const pinned = "https://make.internal.example/proxy/api/v2";
    expect(isPinnedToOneZone(pinned)).toBe(true);
    expect(isPinnedToOneZone("https://{zone}/api/v2")).toBe(false);
    for (const zone of ["eu1.make.com", "us1.make.com"]) {
      expect(zoneEndpoint(zone, pinned, [])).toEqual({
        protocol: "https",
        host: "make.internal.example/proxy",
        version: 2,
        baseUrl: "https://make.internal.example/proxy/api/v2",
      });
    }
  });

  it("refuses a base that is not an http(s) /api/v<n> URL", () => {
    expect(() => zoneEndpoint("eu1.make.com", "https://{zone}/v2", [])).toThrow(/MAKE_API_URL/);
    expect(() => zoneEndpoint("eu1.make.com", "ftp://{zone}/api/v2", [])).toThrow(/MAKE_API_URL/);
  });

  it("sends a token only to Make's zone hosts and the configured ones", () => {
    for (const zone of [
      "eu1.make.com",
      "us2.make.com",
      "EU1.Make.com",
      "eu1.make.celonis.com",
      "eu2.private.make.com",
    ])
      expect(allowedZoneHost(zone, [])).toBe(true);
    expect(allowedZoneHost("127.0.0.1:4012", ["127.0.0.1:4011", "127.0.0.1:4012"])).toBe(true);
    expect(allowedZoneHost("make.internal.example", ["make.internal.example"])).toBe(true);
  });

  it("refuses userinfo, paths, queries, unconfigured ports and look-alike hosts", () => {
    const forged = [
      "eu1.make.com@evil.example",
      "evil.example#eu1.make.com",
      "evil.example/eu1.make.com",
      "evil.example?eu1.make.com",
      "eu1.make.com:8443",
      "eu1.make.com.evil.example",
      "evilmake.com",
      "make.com",
      "127.0.0.1:4013",
      "evil.example",
      "",
    ];
    for (const zone of forged) {
      expect(allowedZoneHost(zone, ["127.0.0.1:4012"]), zone).toBe(false);
      expect(() => zoneEndpoint(zone, "https://{zone}/api/v2", ["127.0.0.1:4012"]), zone).toThrow(
        ForbiddenZoneError,
      );
    }
  });
});
