import { describe, expect, it } from "vitest";

import { failedFields, problems } from "../../lib/schema-testing";
import { isEndpoint, rootPrefixProblem, storageSchema } from "./storage-schema";

const creating = storageSchema((key) => key, { creating: true });
const editing = storageSchema((key) => key, { creating: false });
const s3 = {
  kind: "s3",
  name: " Hetzner Übungen ",
  endpoint: " https://fsn1.your-objectstorage.com ",
  bucket: "kurse-2026",
  region: "",
  root_prefix: "/downloads/",
  path_style: false,
  access_key_id: "AKIA123",
  secret_access_key: "geheim/Schlüssel+1",
};
const local = { ...s3, kind: "local", endpoint: "", bucket: "", access_key_id: "", secret_access_key: "" };

describe("storageSchema", () => {
  it("takes an S3 connection and sends its texts trimmed", () => {
    const parsed = creating.parse(s3);
    expect(parsed.name).toBe("Hetzner Übungen");
    expect(parsed.endpoint).toBe("https://fsn1.your-objectstorage.com");
    expect(failedFields(creating, { ...s3, endpoint: "http://127.0.0.1:9000/", region: "eu-central-1" })).toEqual([]);
  });

  it("names each S3 field the server would refuse", () => {
    expect(problems(creating, { ...s3, name: "   " })).toEqual({ name: "validation.required" });
    expect(problems(creating, { ...s3, name: "x".repeat(101) })).toEqual({ name: "validation.tooLong" });
    expect(problems(creating, { ...s3, endpoint: "s3.example.com" })).toEqual({ endpoint: "validation.endpoint" });
    expect(problems(creating, { ...s3, bucket: "Kurse" })).toEqual({ bucket: "validation.bucket" });
    expect(failedFields(creating, { ...s3, bucket: "ab" })).toEqual(["bucket"]);
    expect(failedFields(creating, { ...s3, bucket: "a".repeat(64) })).toEqual(["bucket"]);
    expect(failedFields(creating, { ...s3, region: "r".repeat(65) })).toEqual(["region"]);
    expect(failedFields(creating, { ...s3, access_key_id: "k".repeat(257) })).toEqual(["access_key_id"]);
    expect(failedFields(creating, { ...s3, secret_access_key: "geheim\n" + "x" })).toEqual(["secret_access_key"]);
    expect(failedFields(creating, { ...s3, root_prefix: "a/../b" })).toEqual(["root_prefix"]);
  });

  it("reports every wrong field at once", () => {
    expect(failedFields(creating, { ...s3, name: "", bucket: "B", endpoint: "ftp://x" })).toEqual(["name", "endpoint", "bucket"]);
  });

  it("needs both keys to create an S3 connection, both or neither to edit one", () => {
    expect(problems(creating, { ...s3, access_key_id: " ", secret_access_key: "" })).toEqual({
      access_key_id: "validation.required",
      secret_access_key: "validation.required",
    });
    expect(failedFields(editing, { ...s3, access_key_id: "", secret_access_key: "" })).toEqual([]);
    expect(problems(editing, { ...s3, access_key_id: "AKIA123", secret_access_key: "  " })).toEqual({
      secret_access_key: "validation.credentialsPair",
    });
    expect(problems(editing, { ...s3, access_key_id: "", secret_access_key: "neu" })).toEqual({
      access_key_id: "validation.credentialsPair",
    });
  });

  it("checks only name and root prefix of a local folder", () => {
    expect(failedFields(creating, local)).toEqual([]);
    expect(failedFields(editing, local)).toEqual([]);
    expect(failedFields(creating, { ...local, name: "", root_prefix: "a//b" })).toEqual(["name", "root_prefix"]);
  });
});

describe("isEndpoint", () => {
  it("takes a service's base URL only", () => {
    for (const ok of ["https://s3.example.com", "https://s3.example.com:9000/", "http://minio.local:9000", "https://[::1]:9000"]) {
      expect(isEndpoint(ok), ok).toBe(true);
    }
    for (const bad of ["", "not a url", "ftp://s3.example.com", "https://user:pw@s3.example.com", "https://s3.example.com/bucket", "https://s3.example.com/?x=1", "https://s3.example.com/#top"]) {
      expect(isEndpoint(bad), bad).toBe(false);
    }
  });
});

describe("rootPrefixProblem", () => {
  it("follows the server's root prefix rules", () => {
    for (const ok of ["", "  ", "/", " /shop/downloads ", "Kurse/Übungen/", "/ +", "a".repeat(1023)]) {
      expect(rootPrefixProblem(ok), ok).toBeNull();
    }
    for (const bad of ["a\\b", "..", "a/./b", "a/../b", "a//b", "a//", "a".repeat(1024), "ü".repeat(512)]) {
      expect(rootPrefixProblem(bad), bad).toBe("folder");
    }
    expect(rootPrefixProblem("a\u0000b")).toBe("controlChars");
  });
});
