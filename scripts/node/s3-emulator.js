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

// s3rver lists in the order of its file paths (stand-ins included) and compares keys as UTF-16 strings, so
// pages skip or repeat keys around multi-byte characters and long segments; nor does it count common
// prefixes against max-keys. Listing is redone here as S3 does it: every key under the prefix in UTF-8 byte
// order, after start-after, rolled up at the delimiter, keys and prefixes together at most max-keys. The
// continuation token names the page's last key, so a truncated page ends with a key: common prefixes after
// it wait for the next page (a page with no key yet takes prefixes up to the next key).
const listObjects = FilesystemStore.prototype.listObjects;
const utf8 = (s) => Buffer.from(s, "utf8");
FilesystemStore.prototype.listObjects = async function (bucket, options) {
  const { delimiter = "", startAfter = "", prefix = "", maxKeys = Infinity } = options;
  const all = await listObjects.call(this, bucket, { prefix });
  const after = utf8(startAfter);
  const sorted = all.objects
    .map((object) => ({ object, bytes: utf8(object.key) }))
    .filter((entry) => Buffer.compare(entry.bytes, after) > 0)
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes));
  const objects = [];
  const commonPrefixes = [];
  let isTruncated = false;
  for (const { object } of sorted) {
    const at = delimiter ? object.key.indexOf(delimiter, prefix.length) : -1;
    const common = at === -1 ? null : object.key.slice(0, at + delimiter.length);
    if (common !== null && commonPrefixes[commonPrefixes.length - 1] === common) continue;
    if (objects.length + commonPrefixes.length >= maxKeys && objects.length > 0) { isTruncated = true; break; }
    if (common !== null) commonPrefixes.push(common); else objects.push(object);
  }
  if (isTruncated && objects.length > 0) {
    const lastKey = utf8(objects[objects.length - 1].key);
    const kept = commonPrefixes.filter((p) => Buffer.compare(utf8(p), lastKey) < 0);
    commonPrefixes.length = 0;
    commonPrefixes.push(...kept);
  }
  return { objects, commonPrefixes, isTruncated };
};

// s3rver writes a PUT's body straight into the object's file, so an upload that fails mid-body (its sender
// stops, e.g. on a bad Content-MD5) leaves the old object's file half overwritten. S3 commits a PUT whole or
// not at all: the body goes to a file of its own here and replaces the object only once all of it is written.
const fsExtra = require("fs-extra");
const { Transform, pipeline } = require("stream");
FilesystemStore.prototype.putObject = async function (object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, "object");
  await fsExtra.mkdirp(require("path").dirname(objectPath));
  const partial = `${objectPath}.~upload~${crypto.randomBytes(8).toString("hex")}`;
  const md5Context = crypto.createHash("md5");
  let size = 0;
  try {
    if (Buffer.isBuffer(object.content)) {
      await fsExtra.writeFile(partial, object.content);
      md5Context.update(object.content);
      size = object.content.length;
    } else {
      await new Promise((resolve, reject) => pipeline(
        object.content,
        new Transform({ transform(chunk, encoding, callback) { md5Context.update(chunk, encoding); size += chunk.length; callback(null, chunk); } }),
        fsExtra.createWriteStream(partial),
        (err) => (err ? reject(err) : resolve())));
    }
    await fsExtra.rename(partial, objectPath);
  } catch (err) {
    await fsExtra.remove(partial).catch(() => {});
    throw err;
  }
  const md5 = md5Context.digest("hex");
  await this.putMetadata(object.bucket, object.key, object.metadata, md5);
  return { size, md5 };
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
