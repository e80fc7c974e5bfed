import { describe, expect, it } from "vitest";

import { moveFile } from "./reorder";

const files = ["a", "b", "c", "d"].map((id) => ({ id }));
const ids = (list: { id: string }[]) => list.map((f) => f.id).join("");

describe("moveFile", () => {
  it("moves a file down onto a later one: it takes that place, the ones between move up", () => {
    const moved = moveFile(files, "a", "c")!;
    expect(ids(moved.items)).toBe("bcad");
    expect(moved.position).toBe(2);
  });

  it("moves a file up to the top", () => {
    const moved = moveFile(files, "d", "a")!;
    expect(ids(moved.items)).toBe("dabc");
    expect(moved.position).toBe(0);
  });

  it("sends the position the server needs to show the same list", () => {
    // The server puts the file at `position` and shifts the others (articles/files.rs).
    for (const [from, over] of [["a", "d"], ["c", "b"], ["b", "c"], ["d", "b"]] as const) {
      const moved = moveFile(files, from, over)!;
      const rest = files.filter((f) => f.id !== from);
      rest.splice(moved.position, 0, { id: from });
      expect(ids(rest), `${from} onto ${over}`).toBe(ids(moved.items));
    }
  });

  it("changes nothing when dropped on itself, outside the list or on an unknown file", () => {
    expect(moveFile(files, "b", "b")).toBeNull();
    expect(moveFile(files, "b", null)).toBeNull();
    expect(moveFile(files, "b", "zz")).toBeNull();
  });

  it("leaves the given list as it was", () => {
    moveFile(files, "a", "d");
    expect(ids(files)).toBe("abcd");
  });
});
