// The GraphQL documents the console sends: the public API, as any client would use it.

const ENTRY = `id seq at action objectType objectId unitPath outcome reason operationName
  requestId clientAddress changes occurrences actor { kind username roles }`;

export const ME = `query ConsoleMe {
  me { username roles { role unit { code name children { code name children { code name } } } } }
  auditActions
}`;

export const AUDIT_LOG = `query ConsoleAuditLog($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    edges { node { ${ENTRY} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const VERIFY = `query ConsoleVerify { verifyAuditTrail { ok checked firstBadId problem archivedThrough } }`;

export const DOSSIER = `query ConsoleDossier($code: String!) {
  dossier(code: $code) {
    code status timeliness channel receivedAt dueAt legalDueAt finishedAt returnedAt
    procedure { code name } unit { code name }
    events { at action fromStatus toStatus actor { username } note }
    history { ${ENTRY} }
  }
}`;

/** The filter form's values as the API's AuditFilter (empty fields left out). */
export function auditFilter(values) {
  const filter = {};
  for (const name of ["actor", "action", "objectType", "objectId", "unitCode", "outcome", "from", "to"]) {
    const value = (values[name] || "").trim();
    if (value) filter[name] = value;
  }
  return filter;
}

/** The same filter as the export's query string (/audit/export.csv takes the same names). */
export function exportUrl(filter) {
  return `/audit/export.csv?${new URLSearchParams(filter)}`;
}
