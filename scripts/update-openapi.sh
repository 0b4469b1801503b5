#!/usr/bin/env bash
# Regenerates openapi/gateway.v1.json from the document the gateway serves at /openapi/v1.json.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
UPDATE_OPENAPI=1 dotnet test tests/Gateway.Tests --filter "FullyQualifiedName~OpenApiDocumentTests.Served_document_matches_the_committed_one" --nologo -v q
git --no-pager diff --stat -- openapi/gateway.v1.json || true
