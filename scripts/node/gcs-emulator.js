// Starts the Firebase Storage emulator (the GCS JSON API part of firebase-tools) without its CLI,
// which would want Java for the security-rules runtime. The gateway talks to it with admin
// semantics only, so the rules runtime is never needed and is left switched off.
// Usage: node gcs-emulator.js [host] [port]
"use strict";
const host = process.argv[2] || "127.0.0.1";
const port = Number(process.argv[3] || 9199);

// The emulator caps request bodies at 130 MB; benchmarks stream larger objects through it.
// body-parser's exports are getters, so the emulator's copy of the module is swapped in the require cache.
const path = require("path");
const storageDir = path.dirname(require.resolve("firebase-tools/lib/emulator/storage/server.js"));
const bodyParserPath = require.resolve("body-parser", { paths: [storageDir] });
const bodyParser = require(bodyParserPath);
require.cache[bodyParserPath].exports = {
  json: bodyParser.json,
  text: bodyParser.text,
  urlencoded: bodyParser.urlencoded,
  raw: (options) => bodyParser.raw({ ...options, limit: "2gb" }),
};

const { StorageEmulator } = require("firebase-tools/lib/emulator/storage");
const { StorageLayer } = require("firebase-tools/lib/emulator/storage/files");

// The emulator returns every common prefix on every page; the JSON API pages items and prefixes together.
// Keep on each page only the prefixes that sort between its first item and the next page's.
const listObjects = StorageLayer.prototype.listObjects;
StorageLayer.prototype.listObjects = async function (request) {
  const result = await listObjects.call(this, request);
  if (result.prefixes) {
    const from = request.pageToken;
    const to = result.nextPageToken;
    const kept = result.prefixes.filter((p) => (!from || p >= from) && (!to || p < to));
    result.prefixes = kept.length > 0 ? kept : undefined;
  }
  return result;
};
// The emulator reads all of an object's bytes from disk to answer a metadata request (objects.get without
// alt=media), so reading a 64 MiB object's metadata cost about as much as downloading it; GCS answers from the
// metadata alone. Same checks as the emulator's getObject; the bytes are read only when a media answer uses them.
const storageErrors = require("firebase-tools/lib/emulator/storage/errors");
const rulesTypes = require("firebase-tools/lib/emulator/storage/rules/types");
StorageLayer.prototype.getObject = async function (request) {
  const metadata = this.getMetadata(request.bucketId, request.decodedObjectId);
  let authorized = (metadata?.downloadTokens || []).includes(request.downloadToken ?? "");
  if (!authorized) {
    authorized = await this._rulesValidator.validate(["b", request.bucketId, "o", request.decodedObjectId].join("/"), request.bucketId,
      rulesTypes.RulesetOperationMethod.GET, { before: metadata?.asRulesResource() }, this._projectId, request.authorization);
  }
  if (!authorized) throw new storageErrors.ForbiddenError("Failed auth");
  if (!metadata) throw new storageErrors.NotFoundError("File not found");
  const layer = this;
  let data;
  return { metadata, get data() { return data ??= layer.getBytes(request.bucketId, request.decodedObjectId); } };
};

// Two gaps between the emulator and GCS that Google.Cloud.Storage.V1 runs into, filled in front of its routes.
// The emulator finalizes a resumable upload on its first PUT, whatever Content-Range says, so a chunked upload
// (what Google.Cloud.Storage.V1 sends) would be cut to its first chunk. GCS answers a chunk that does not reach
// the total length (or whose total is "*") with 308 and the bytes it holds; only the last chunk completes the object.
const gcloudApis = require("firebase-tools/lib/emulator/storage/apis/gcloud");
const createCloudEndpoints = gcloudApis.createCloudEndpoints;
gcloudApis.createCloudEndpoints = function (emulator) {
  const express = require("express");
  const router = express.Router();
  // Past 2 KB of URL the SDK sends a GET as POST with X-HTTP-Method-Override and the query string as a form body,
  // which GCS accepts and the emulator does not (keys of 1,024 bytes of "é" get there).
  router.use(async (req, res, next) => {
    const override = req.header("x-http-method-override");
    if (req.method !== "POST" || !override) return next();
    // The emulator's app may have read the body already.
    const parts = [];
    if (!Buffer.isBuffer(req.body)) for await (const part of req) parts.push(part);
    const form = (Buffer.isBuffer(req.body) ? req.body : Buffer.concat(parts)).toString();
    req.method = override.toUpperCase();
    if (form) {
      req.url += (req.url.includes("?") ? "&" : "?") + form;
      req.query = { ...req.query, ...Object.fromEntries(new URLSearchParams(form)) };
    }
    delete req.headers["content-type"];
    delete req.headers["content-length"];
    next();
  });
  router.put("/upload/storage/v1/b/:bucketId/o", async (req, res, next) => {
    // Non-final: "bytes a-b/*", or "bytes a-b/total" with b + 1 < total.
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(req.header("content-range") || "");
    if (!req.query.upload_id || !range || (range[3] !== "*" && Number(range[2]) + 1 >= Number(range[3]))) return next();
    // Read here: body-parser skips a chunk sent without Content-Type, as the SDK sends them.
    // A client that dies mid-chunk (a SIGKILLed gateway) rejects the read with "aborted": the chunk is dropped,
    // as GCS keeps at most what it persisted. Unhandled, that rejection ended the whole emulator process.
    const parts = [];
    try {
      for await (const part of req) parts.push(part);
    } catch {
      return;
    }
    let upload;
    try {
      upload = emulator.uploadService.continueResumableUpload(req.query.upload_id.toString(), Buffer.concat(parts));
    } catch (err) {
      return res.sendStatus(err.constructor.name === "NotFoundError" ? 404 : 400);
    }
    res.header("range", `bytes=0-${upload.size - 1}`);
    return res.sendStatus(308);
  });
  router.use(createCloudEndpoints(emulator));
  return router;
};
const { EmulatorRegistry } = require("firebase-tools/lib/emulator/registry");

async function main() {
  const emulator = new StorageEmulator({
    projectId: process.env.GCS_EMULATOR_PROJECT || "gateway-test",
    host,
    port,
    rules: { name: "storage.rules", content: "" },
    auto_download: false,
  });
  emulator._rulesRuntime.start = async () => {};
  emulator._rulesRuntime.stop = async () => {};
  emulator._rulesManager.start = async () => {};
  emulator._rulesManager.stop = async () => {};
  // Registering it lets the emulator build its resumable-upload URLs.
  await EmulatorRegistry.start(emulator);
  console.log(`gcs emulator listening on http://${host}:${port}`);
  const stop = async () => { try { await emulator.stop(); } finally { process.exit(0); } };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => { console.error(err); process.exit(1); });
