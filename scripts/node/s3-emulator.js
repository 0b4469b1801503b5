// Starts s3rver (S3 emulator, stores objects as files) for tests and benchmarks.
// Usage: node s3-emulator.js <directory> [host] [port]
// S3 keys may hold 1024-byte segments and empty segments ("a//b"); a filesystem cannot (255-byte names,
// "//" collapses). Such segments get a stand-in file name here, mapped back when s3rver lists keys.
"use strict";
const crypto = require("crypto");
const S3rver = require("s3rver");
const FilesystemStore = require("s3rver/lib/stores/filesystem");

const directory = process.argv[2];
const address = process.argv[3] || "127.0.0.1";
const port = Number(process.argv[4] || 4568);
if (!directory) { console.error("usage: node s3-emulator.js <directory> [host] [port]"); process.exit(2); }

const MAX_SEGMENT_BYTES = 200; // leaves room for s3rver's "._S3rver_metadata.json" suffix
const standIns = new Map();
const encode = FilesystemStore.encodeKeyPath;
const decode = FilesystemStore.decodeKeyPath;
FilesystemStore.encodeKeyPath = (key) => {
  const segments = encode(key).split("/");
  return segments.map((segment, i) => {
    const last = i === segments.length - 1;
    if ((segment === "" && !last) || Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) {
      const standIn = "~s3rver~" + crypto.createHash("sha256").update(segment).digest("hex");
      standIns.set(standIn, segment);
      return standIn;
    }
    return segment;
  }).join("/");
};
FilesystemStore.decodeKeyPath = (keyPath) =>
  decode(keyPath.split("/").map((segment) => standIns.has(segment) ? standIns.get(segment) : segment).join("/"));

// s3rver does not count common prefixes against max-keys and continues after the last key, so a truncated
// page would repeat the prefixes that sort after that key on the next page: leave them to the next page.
const listObjects = FilesystemStore.prototype.listObjects;
FilesystemStore.prototype.listObjects = async function (bucket, options) {
  const result = await listObjects.call(this, bucket, options);
  if (result.isTruncated && result.objects.length > 0) {
    const lastKey = result.objects[result.objects.length - 1].key;
    result.commonPrefixes = result.commonPrefixes.filter((prefix) => prefix < lastKey);
  }
  return result;
};

// Request fixes s3rver needs to answer as S3 does: copy sources are URL-encoded per segment (s3rver
// uses decodeURI, which leaves %2F alone), suffix ranges (bytes=-N) are read as bytes=0-N, and keys
// with empty segments ("a//b") do not match its routes.
const fs = require("fs");
function fixRequest(server) {
  return async (ctx, next) => {
    const copySource = ctx.headers["x-amz-copy-source"];
    if (copySource) ctx.headers["x-amz-copy-source"] = encodeURI(decodeURIComponent(copySource));
    const [, bucket, ...rest] = ctx.path.split("/");
    if (bucket && rest.length > 0) {
      const key = rest.map(decodeURIComponent).join("/");
      if (key.includes("//")) ctx.path = `/${bucket}/${encodeURIComponent(key)}`;
      const suffix = /^bytes=-(\d+)$/.exec(ctx.headers["range"] || "");
      if (suffix && ctx.method === "GET") {
        try {
          const size = fs.statSync(server.store.getResourcePath(bucket, key, "object")).size;
          const n = Math.min(Number(suffix[1]), size);
          ctx.headers["range"] = n > 0 ? `bytes=${size - n}-${size - 1}` : `bytes=${size}-`;
        } catch { /* missing object: s3rver answers NoSuchKey */ }
      }
    }
    await next();
  };
}

// One failing file operation must not take the whole emulator (and every later test) down with it.
process.on("uncaughtException", (err) => console.error("s3rver: uncaught", err));

const server = new S3rver({ address, port, directory, silent: true });
server.middleware.unshift(fixRequest(server));
server.run().then(
  () => console.log(`s3rver listening on http://${address}:${port}`),
  (err) => { console.error(err); process.exit(1); });
