import dayjs from "dayjs";
import { describe, expect, it } from "vitest";

import type { components } from "../../lib/api/schema";
import { problems } from "../../lib/schema-testing";
import { limitsChange, limitsSchema, limitsValues } from "./limits";

type Grant = components["schemas"]["GrantView"];

function grant(id: string, max: number | null, expires: string | null): Grant {
  return {
    id,
    order_item_id: "item",
    file_name: `${id}.pdf`,
    size: 1,
    used_downloads: 1,
    max_downloads: max,
    downloads_left: max == null ? null : max - 1,
    expires_at: expires,
  };
}

const END = "2026-12-24T12:00:00Z";
const LATER = "2027-01-31T12:00:00Z";

describe("limitsChange", () => {
  it("sends nothing when the form is opened and saved unchanged", () => {
    const g = grant("a", 5, END);
    expect(limitsChange(limitsValues([g]), [g], g.id)).toBeNull();
    const open = grant("b", null, null);
    expect(limitsChange(limitsValues([open]), [open], open.id)).toBeNull();
  });

  it("sends only the new count for one file, with its id", () => {
    const g = grant("a", 5, END);
    expect(limitsChange({ ...limitsValues([g]), max_downloads: 8 }, [g], g.id)).toEqual({ grant_id: "a", max_downloads: 8 });
  });

  it("sends null for unlimited and for no end date", () => {
    const g = grant("a", 5, END);
    expect(limitsChange({ ...limitsValues([g]), unlimited: true, no_end: true }, [g], g.id)).toEqual({
      grant_id: "a",
      max_downloads: null,
      expires_at: null,
    });
  });

  it("sends a picked end date as an instant", () => {
    const g = grant("a", 5, END);
    const picked = dayjs(LATER).format("YYYY-MM-DD HH:mm:ss");
    expect(limitsChange({ ...limitsValues([g]), expires_at: picked }, [g], g.id)).toEqual({ grant_id: "a", expires_at: LATER.replace("Z", ".000Z") });
  });

  it("for every file, keeps each file's own end date when only the count changes", () => {
    const grants = [grant("a", 5, END), grant("b", 5, LATER)];
    expect(limitsChange({ ...limitsValues(grants), max_downloads: 10 }, grants)).toEqual({ max_downloads: 10 });
  });

  it("for every file, opens differing values blank and leaves them alone until filled in", () => {
    const grants = [grant("a", 5, END), grant("b", 3, LATER)];
    const opened = limitsValues(grants);
    expect(opened).toMatchObject({ unlimited: false, max_downloads: "", no_end: false, expires_at: null });
    expect(limitsChange(opened, grants)).toBeNull();
    // A count the first file already has still reaches the second.
    expect(limitsChange({ ...opened, max_downloads: 5 }, grants)).toEqual({ max_downloads: 5 });
    expect(limitsChange({ ...opened, no_end: true }, grants)).toEqual({ expires_at: null });
  });

  it("for every file, opens shared values as they are", () => {
    const grants = [grant("a", null, END), grant("b", null, END)];
    expect(limitsValues(grants)).toMatchObject({ unlimited: true, no_end: false });
    expect(limitsChange(limitsValues(grants), grants)).toBeNull();
  });

  it("sends a reset on its own", () => {
    const g = grant("a", 5, END);
    expect(limitsChange({ ...limitsValues([g]), reset_used: true }, [g], g.id)).toEqual({ grant_id: "a", reset_used: true });
  });
});

describe("limitsSchema", () => {
  const schema = limitsSchema((key) => key);
  const base = limitsValues([grant("a", 5, END)]);

  it("takes 0 to 100 000 downloads, or a blank count (left as it is)", () => {
    expect(problems(schema, { ...base, max_downloads: 0 })).toEqual({});
    expect(problems(schema, { ...base, max_downloads: 100_000 })).toEqual({});
    expect(problems(schema, { ...base, max_downloads: "" })).toEqual({});
  });

  it("names the field the server would refuse", () => {
    expect(problems(schema, { ...base, max_downloads: 100_001 })).toEqual({ max_downloads: "validation.range" });
    expect(problems(schema, { ...base, max_downloads: -1 })).toEqual({ max_downloads: "validation.range" });
  });
});
