// The dashboard: one page over the platform's own API. Queries and mutations go over HTTP;
// live progress comes from the bulkActionsFeed subscription (graphql-transport-ws).
import { createClient } from "graphql-ws";

const $ = (selector) => document.querySelector(selector);
const TERMINAL = new Set(["COMPLETED", "COMPLETED_WITH_ERRORS", "FAILED", "CANCELLED"]);
const STATS = `total processed succeeded failed skipped progress etaSeconds waitingRows finishingRows
  batchesStarted nextBatchAt estimatedSeconds`;
const FIELDS = `id entityType actionType status createdAt scheduledAt dryRun canRestoreUntil
  createdBy { userId apiKeyId } drip { batchSize everySeconds days window { from to } timeZone } stats { ${STATS} }`;
const WEEK = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];

// A `?token=` link (scripts/dev prints one) signs the page in; the token then leaves the
// address bar and the history.
const linked = new URLSearchParams(location.search).get("token");
if (linked) history.replaceState(null, "", location.pathname);
let token = linked || localStorage.getItem("bulkActionsToken") || "";
let socket = null;
const actions = new Map();
const logs = { id: null, after: null, load: 0 };

async function gql(query, variables = {}) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) {
    const [error] = body.errors;
    throw new Error(`${error.message} (${error.extensions?.code})`);
  }
  return body.data;
}

function note(text) {
  $("#submit-note").textContent = text;
}

function count(n, one, many) {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

function eta(seconds) {
  if (seconds == null) return "";
  return seconds < 90 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
}

function render(action) {
  // An ended action stays ended: an answer that left the server before the end (a control's
  // answer can arrive after the live feed said CANCELLED) must not show it running again.
  const shown = actions.get(action.id);
  if (shown && TERMINAL.has(shown.status) && !TERMINAL.has(action.status)) return;
  actions.set(action.id, action);
  let row = document.querySelector(`tr[data-id="${action.id}"]`);
  if (!row) {
    row = document.createElement("tr");
    row.dataset.id = action.id;
    row.addEventListener("click", () => openLogs(action.id));
    $("#actions tbody").prepend(row);
  }
  const s = action.stats;
  const percent = Math.floor(s.progress * 100);
  row.innerHTML = `
    <td>${action.actionType} ${action.entityType} <small>${action.id}</small>${madeBy(action)}</td>
    <td class="status ${action.status}">${action.status}${
      action.status === "SCHEDULED" && action.scheduledAt
        ? ` <small class="scheduled">${new Date(action.scheduledAt).toLocaleString()}</small>`
        : ""
    }${dripNote(action)}${
      (action.status === "PAUSED" || action.status === "CANCELLING") && s.finishingRows > 0
        ? ` <small class="finishing">${s.finishingRows} rows finishing</small>`
        : ""
    }</td>
    <td><progress max="100" value="${percent}"></progress> <span class="percent">${percent}%</span></td>
    <td>${s.succeeded}</td><td>${s.failed}</td><td>${s.skipped}</td>
    <td>${TERMINAL.has(action.status) ? "" : eta(s.etaSeconds)}${
      action.dryRun && s.estimatedSeconds != null
        ? ` <small class="estimate">real run: ${eta(s.estimatedSeconds)}</small>`
        : ""
    }</td>`;
  if (logs.id === action.id) showControls(action);
}

// Who made it: a user, or an API key (its id's end).
function madeBy(action) {
  const by = action.createdBy;
  if (!by || (!by.userId && !by.apiKeyId)) return "";
  const who = by.userId ? escapeText(by.userId) : `API key …${by.apiKeyId.slice(-6)}`;
  return ` <small class="by">by ${who}</small>`;
}

// Text as HTML that shows it, in an element or a quoted attribute.
function escapeText(text) {
  const holder = document.createElement("span");
  holder.textContent = text;
  return holder.innerHTML.replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}

// A drip action's pace, batches started and next batch time, under its status.
function dripNote(action) {
  if (!action.drip || action.dryRun || TERMINAL.has(action.status)) return "";
  const s = action.stats;
  const next = s.nextBatchAt ? ` · next batch ${new Date(s.nextBatchAt).toLocaleTimeString()}` : "";
  return ` <small class="drip">${action.drip.batchSize}/${action.drip.everySeconds}s · ` +
    `${count(s.batchesStarted, "batch", "batches")}${next}</small>`;
}

function dripInput() {
  if (!$("#drip-on").checked) return null;
  const drip = {
    batchSize: Number($("#drip-size").value),
    everySeconds: Number($("#drip-every").value) * Number($("#drip-unit").value),
    days: [...document.querySelectorAll("#drip-days input:checked")].map((box) => box.value),
  };
  if ($("#drip-from").value && $("#drip-to").value) {
    drip.window = { from: $("#drip-from").value, to: $("#drip-to").value };
  }
  if ($("#drip-zone").value.trim()) drip.timeZone = $("#drip-zone").value.trim();
  return drip;
}

function showDripForm() {
  $("#drip-days").innerHTML = WEEK.map(
    (day) => `<label><input type="checkbox" value="${day}" checked> ${day}</label>`,
  ).join(" ");
  $("#drip-zone").value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  $("#drip-on").addEventListener("change", () => ($("#drip-pace").hidden = !$("#drip-on").checked));
}

// The selected action's pace, changeable while it has batches to start.
const EDITABLE = new Set(["QUEUED", "SCHEDULED", "PROCESSING", "PAUSED"]);

function showPace(action) {
  const form = $("#pace-form");
  form.hidden = !action.drip || action.dryRun || !EDITABLE.has(action.status);
  if (form.hidden) return;
  $("#pace-now").textContent =
    `${action.drip.batchSize} rows every ${action.drip.everySeconds} s (${action.drip.timeZone})`;
  if (form.dataset.id !== action.id) {
    form.dataset.id = action.id;
    $("#pace-size").value = action.drip.batchSize;
    $("#pace-every").value = action.drip.everySeconds;
  }
}

async function changePace(drip) {
  const action = actions.get(logs.id);
  if (drip && action?.drip) {
    // The days, window and zone stay as they are; size and interval change.
    const { days, window, timeZone } = action.drip;
    drip = { ...drip, days, timeZone, ...(window ? { window } : {}) };
  }
  try {
    const data = await gql(
      `mutation($id: ID!, $drip: DripInput) { updateBulkActionDrip(id: $id, drip: $drip) { ${FIELDS} } }`,
      { id: logs.id, drip },
    );
    render(data.updateBulkActionDrip);
    note(drip ? `pace changed: ${drip.batchSize} rows every ${drip.everySeconds} s` : "pacing stopped");
  } catch (error) {
    note(error.message);
  }
}

// The owner's controls and the safety nets, where they apply to the selected action: pause,
// resume or cancel it (after a confirmation); make a dry run real, undo an ended action
// (after a confirmation), run its failed rows again.
const RUNNING = new Set(["SCHEDULED", "QUEUED", "PROCESSING"]);
const FOLLOW_UPS = [
  // A scheduled action has not started: it is rescheduled or cancelled, not paused.
  {
    label: "Pause",
    mutation: "pauseBulkAction",
    applies: (a) => a.status === "QUEUED" || a.status === "PROCESSING",
  },
  { label: "Resume", mutation: "resumeBulkAction", applies: (a) => a.status === "PAUSED" },
  {
    label: "Cancel",
    mutation: "cancelBulkAction",
    applies: (a) => RUNNING.has(a.status) || a.status === "PAUSED",
    confirm: (a) => `Cancel ${a.actionType} ${a.id}? Rows not written yet are skipped.`,
  },
  {
    label: "Run for real",
    mutation: "runBulkAction",
    applies: (a) => a.dryRun && (a.status === "COMPLETED" || a.status === "COMPLETED_WITH_ERRORS"),
  },
  {
    label: "Restore",
    mutation: "restoreBulkAction",
    applies: (a) => a.canRestoreUntil != null,
    confirm: (a) =>
      `Restore ${a.actionType} ${a.id}? It touches ${count(a.stats.succeeded, "entity", "entities")}: ` +
      "each one it changed is put back as it was, except those changed since. This can be done once.",
  },
  {
    label: "Retry failed",
    mutation: "retryBulkAction",
    applies: (a) => !a.dryRun && TERMINAL.has(a.status) && a.stats.failed > 0,
  },
];

function showControls(action) {
  showPace(action);
  const bar = $("#action-controls");
  bar.innerHTML = "";
  const add = (label, run) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = label;
    button.addEventListener("click", run);
    bar.append(button);
  };
  for (const followUp of FOLLOW_UPS.filter((f) => f.applies(action))) {
    add(followUp.label, () => runFollowUp(followUp, action));
  }
  // An ended EXPORT's file (a dry run writes none).
  if (action.actionType === "EXPORT" && !action.dryRun && TERMINAL.has(action.status)) {
    add("Download export", () => download(`/bulk-actions/${action.id}/export.csv`, `bulk-action-${action.id}-export.csv`));
  }
}

async function runFollowUp(followUp, action) {
  if (followUp.confirm && !window.confirm(followUp.confirm(action))) return;
  try {
    const data = await gql(`mutation($id: ID!) { ${followUp.mutation}(id: $id) { ${FIELDS} } }`, {
      id: action.id,
    });
    const made = data[followUp.mutation];
    render(made);
    note(`${followUp.label}: action ${made.id}`);
  } catch (error) {
    note(error.message);
  }
}

async function loadEnums() {
  const data = await gql(`{
    entity: __type(name: "EntityType") { enumValues { name } }
    action: __type(name: "ActionType") { enumValues { name } }
  }`);
  for (const [select, type] of [["#entity", data.entity], ["#action", data.action]]) {
    // A RESTORE is made by its button, not created.
    const names = type.enumValues.map((v) => v.name).filter((name) => name !== "RESTORE");
    $(select).innerHTML = names.map((name) => `<option>${name}</option>`).join("");
  }
  // The form opens on something harmless a newcomer can submit as it is: the example contacts
  // to insert (a DELETE asks first, naming how many rows it will delete).
  useExample();
  await loadFields();
  const types = data.action.enumValues.map((v) => `<option>${v.name}</option>`).join("");
  $("#filter-type").innerHTML = `<option value="">all types</option>${types}`;
}

// The list's filters, applied by the server (bulkActions' arguments).
function filters() {
  const day = (value, plusDays = 0) => {
    if (!value) return null;
    const date = new Date(`${value}T00:00:00`); // the user's own midnight
    date.setDate(date.getDate() + plusDays);
    return date.toISOString();
  };
  return {
    status: $("#filter-status").value || null,
    type: $("#filter-type").value || null,
    after: day($("#filter-from").value),
    before: day($("#filter-to").value, 1), // the whole last day
  };
}

async function loadActions() {
  const data = await gql(
    `query($status: BulkActionStatus, $type: ActionType, $after: DateTime, $before: DateTime) {
      bulkActions(first: 50, status: $status, actionType: $type, createdAfter: $after, createdBefore: $before) {
        edges { node { ${FIELDS} } } } }`,
    filters(),
  );
  $("#actions tbody").innerHTML = "";
  actions.clear();
  for (const edge of data.bulkActions.edges.reverse()) render(edge.node);
}

function filtered(action) {
  const { status, type } = filters();
  return (!status || action.status === status) && (!type || action.actionType === type);
}

function follow() {
  if (socket) socket.dispose();
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  socket = createClient({ url, connectionParams: { Authorization: `Bearer ${token}` }, retryAttempts: 1e9 });
  socket.subscribe(
    { query: `subscription { bulkActionsFeed { action { ${FIELDS} } status stats { ${STATS} } } }` },
    {
      next: ({ data }) => {
        const event = data.bulkActionsFeed;
        const action = { ...event.action, status: event.status, stats: event.stats };
        if (actions.has(action.id) || filtered(action)) render(action);
        if (logs.id === event.action.id && TERMINAL.has(event.status)) openLogs(logs.id);
      },
      error: (error) => note(`live updates stopped: ${error.reason || error.message || error}`),
      complete: () => {},
    },
  );
}

async function start(event) {
  event?.preventDefault();
  token = $("#token").value.trim() || token;
  if (!token) return;
  localStorage.setItem("bulkActionsToken", token);
  try {
    const me = await gql("{ accountRateLimit { accountId perMinute } }");
    await loadEnums();
    await loadActions();
    follow();
    // Shown once the page is ready to use (the type lists filled).
    $("#who").textContent = `${me.accountRateLimit.accountId} · ${me.accountRateLimit.perMinute.toLocaleString()} entities/min`;
  } catch (error) {
    $("#who").textContent = error.message;
  }
}

function exampleCsv(rows = 250) {
  const lines = ["email,first_name,last_name,lifecycle_stage"];
  const stamp = Date.now();
  for (let n = 0; n < rows; n++) lines.push(`example${stamp}-${n}@example.com,Ada,Example${n},lead`);
  return new File([lines.join("\n") + "\n"], `example-${stamp}.csv`, { type: "text/csv" });
}

let example = null;

// The fields of the chosen entity type, built-in then the account's custom ones
// (entityFields): what the column map, the filter builder and the export picker offer.
let fields = [];
let header = [];

async function loadFields() {
  const data = await gql(
    `query($t: EntityType!) { entityFields(entityType: $t) { name kind custom unique options aliases } }`,
    { t: $("#entity").value },
  );
  fields = data.entityFields;
  const options = fields
    .map((f) => `<option value="${f.name}">${f.name}${f.custom ? " (custom)" : ""}</option>`)
    .join("");
  $("#export-picker").innerHTML = `<option value="id">id</option>${options}`;
  $("#set-field").innerHTML = `<option value="">(nothing)</option>${options}`;
  $("#conditions").innerHTML = "";
  addCondition();
  showColumnMap();
  showTargets();
}

// The first line of the chosen file, read in the encoding chosen for it (the server stores
// the file converted from it: app.infra.files.encodings): its columns, each mapped to a field
// of the same name (as the server spells headers: app.usecases.creation.spelling) or ignored,
// and changeable.
async function readHeader(file) {
  const bytes = await file.slice(0, 64 * 1024).arrayBuffer();
  const encoding = $("#encoding").value;
  if (encoding === "utf-8" && !isUtf8(bytes)) {
    note(`${file.name} is not UTF-8 text: choose its encoding (Excel on Windows saves Windows-1252)`);
  }
  const text = new TextDecoder(encoding).decode(bytes).replace(/^\ufeff/, "");
  header = firstRecord(text).map((cell) => cell.trim());
  // A sheet separated by ';' was saved where the decimal mark is a comma (Excel's list
  // separator follows it): its numbers are read so, unless changed.
  $("#decimal-mark").value = separatorOf(text) === ";" ? "COMMA" : "POINT";
  showColumnMap();
}

// Whether the bytes read as UTF-8 (a character the slice cut in two aside).
function isUtf8(bytes) {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

// A column's name as a field's is spelt, as the server reads headers: "First Name" and
// "job-title" name first_name and job_title.
function spelling(name) {
  return name.trim().toLowerCase().replace(/[\s-]+/g, "_");
}

// A name without its separators, as the server reads headers it cannot spell as a field:
// "E-mail" and "FirstName" name email and first_name (app.usecases.creation.letters).
function letters(name) {
  return name.toLowerCase().replace(/[\s_-]+/g, "");
}

// The cells of a CSV text's first record, as CSV reads them: quoted cells may hold commas,
// newlines and doubled quotes.
function firstRecord(text) {
  const separator = separatorOf(text);
  const cells = [];
  let cell = "";
  let quoted = false;
  for (let at = 0; at < text.length; at++) {
    const char = text[at];
    if (quoted) {
      if (char === '"' && text[at + 1] === '"') {
        cell += '"';
        at++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === separator) {
      cells.push(cell);
      cell = "";
    } else if (char === "\n" || char === "\r") break;
    else cell += char;
  }
  return cells.length || cell ? [...cells, cell] : [];
}

// The separator of the file's header, as the server tells it (app.infra.files.separators):
// of ",", ";", tab and "|", the one it holds most of outside quotes; commas when tied.
function separatorOf(text) {
  const counts = new Map([",", ";", "\t", "|"].map((separator) => [separator, 0]));
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === "\n" || char === "\r")) break;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char) + 1);
  }
  let best = ",";
  for (const [separator, count] of counts) if (count > counts.get(best)) best = separator;
  return best;
}

function showColumnMap() {
  const known = new Map([["id", "id"], ...fields.map((f) => [f.name.toLowerCase(), f.name])]);
  const choices = ["id", ...fields.map((f) => f.name)];
  const spelt = new Map();
  for (const name of choices) spelt.set(letters(name), spelt.has(letters(name)) ? "" : name);
  for (const field of fields) {
    for (const alias of field.aliases || []) {
      if (!spelt.has(letters(alias))) spelt.set(letters(alias), field.name);
    }
  }
  $("#column-map tbody").innerHTML = header
    .map((column, n) => {
      const chosen = known.get(spelling(column)) || spelt.get(letters(column)) || "";
      const options = choices
        .map((name) => `<option ${name === chosen ? "selected" : ""}>${name}</option>`)
        .join("");
      const named = escapeText(column);
      return `<tr><td>${named}</td><td><select data-column="${n}" aria-label="field of ${named}">
        <option value="">(ignore)</option>${options}</select></td></tr>`;
    })
    .join("");
  $("#column-map").hidden = header.length === 0 || $("#targets").value !== "file";
}

function columnMap() {
  const map = {};
  for (const select of document.querySelectorAll("#column-map select")) {
    const column = header[Number(select.dataset.column)];
    if (select.value !== column) map[column] = select.value || null;
  }
  return Object.keys(map).length ? map : null;
}

// Operators by kind, as FieldCondition takes them.
const OPERATORS = {
  TEXT: ["eq", "ne", "in", "prefix", "exists"],
  ENUM: ["eq", "ne", "in", "notIn", "exists"],
  NUMBER: ["eq", "ne", "lt", "lte", "gt", "gte", "exists"],
  DATE: ["eq", "lt", "lte", "gt", "gte", "exists"],
  BOOLEAN: ["eq", "exists"],
  LIST: ["hasAny", "hasAll", "hasNone", "exists"],
};

function addCondition() {
  const row = document.createElement("div");
  const options = fields.map((f) => `<option>${f.name}</option>`).join("");
  row.innerHTML = `<select class="field" aria-label="filter field">${options}</select>
    <select class="operator" aria-label="operator"></select>
    <input class="value" aria-label="value" placeholder="value (lists: a;b)">
    <small class="kind"></small>`;
  const pick = () => {
    const field = fields.find((f) => f.name === row.querySelector(".field").value);
    const ops = OPERATORS[field?.kind] || ["eq"];
    row.querySelector(".operator").innerHTML = ops.map((op) => `<option>${op}</option>`).join("");
    row.querySelector(".kind").textContent = field
      ? `${field.kind}${field.options ? `: ${field.options.join(", ")}` : ""}`
      : "";
  };
  row.querySelector(".field").addEventListener("change", pick);
  $("#conditions").append(row);
  pick();
}

// A value typed in a box, as the field's kind holds it.
function typed(field, text) {
  const kind = fields.find((f) => f.name === field)?.kind;
  if (kind === "NUMBER") return Number(text);
  if (kind === "BOOLEAN") return text.trim().toLowerCase() === "true";
  return text;
}

function builtFilter() {
  const conditions = [...document.querySelectorAll("#conditions div")].map((row) => {
    const field = row.querySelector(".field").value;
    const op = row.querySelector(".operator").value;
    const text = row.querySelector(".value").value;
    const many = ["in", "notIn", "hasAny", "hasAll", "hasNone"].includes(op);
    const value =
      op === "exists"
        ? text.trim().toLowerCase() !== "false"
        : many
          ? text.split(";").map((part) => typed(field, part.trim()))
          : typed(field, text);
    return { field, [op]: value };
  });
  return conditions.length ? { conditions } : { all: true };
}

function showTargets() {
  const byFilter = $("#targets").value === "filter";
  const action = $("#action").value;
  $("#filter-builder").hidden = !byFilter;
  $("#set-fields").hidden = action !== "UPDATE";
  $("#export-columns").hidden = action !== "EXPORT";
  $("#column-map").hidden = byFilter || header.length === 0;
}

async function submitFilter() {
  const input = {
    entityType: $("#entity").value,
    actionType: $("#action").value,
    filter: builtFilter(),
    dryRun: $("#dry-run").checked,
  };
  const columns = [...$("#export-picker").selectedOptions].map((option) => option.value);
  if (input.actionType === "EXPORT" && columns.length) input.columns = columns;
  const drip = dripInput();
  if (drip) input.drip = drip;
  const setField = $("#set-field").value;
  if (input.actionType === "UPDATE" && setField) {
    input.fields = { [setField]: typed(setField, $("#set-value").value) };
  }
  if (input.actionType === "DELETE" && !input.dryRun) {
    const asked = `Delete every ${input.entityType} entity the filter matches? ` +
      "They can be restored for a while afterwards.";
    if (!window.confirm(asked)) return note("not created: nothing was deleted");
  }
  const data = await gql(
    `mutation($input: CreateBulkActionInput!) { createBulkAction(input: $input) { ${FIELDS} } }`,
    { input },
  );
  render(data.createBulkAction);
  note(`by filter: action ${data.createBulkAction.id}`);
}

async function submit(event) {
  event.preventDefault();
  if ($("#targets").value === "filter") {
    try {
      return await submitFilter();
    } catch (error) {
      return note(error.message);
    }
  }
  const file = $("#file").files[0] || example;
  if (!file) return note("choose a CSV file, or use an example");
  note(`uploading ${file.name}…`);
  try {
    const query = new URLSearchParams({ filename: file.name, encoding: $("#encoding").value });
    const uploaded = await fetch(`/uploads?${query}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
      body: file,
    });
    const body = await uploaded.json();
    if (!uploaded.ok) throw new Error(`${body.error.message} (${body.error.code})`);
    const input = {
      entityType: $("#entity").value,
      actionType: $("#action").value,
      uploadId: body.uploadId,
      dryRun: $("#dry-run").checked,
    };
    const map = columnMap();
    if (map) input.columnMap = map;
    const writesFields = !["DELETE", "EXPORT"].includes(input.actionType);
    if (writesFields && $("#decimal-mark").value === "COMMA") input.decimalMark = "COMMA";
    if (writesFields && $("#date-order").value) input.dateOrder = $("#date-order").value;
    const drip = dripInput();
    if (drip) input.drip = drip;
    if (input.actionType === "DELETE" && !input.dryRun) {
      const rows = count(body.rows, "row", "rows");
      const asked = `Delete the ${input.entityType} entities named in ${file.name} (${rows})? ` +
        "They can be restored for a while afterwards.";
      if (!window.confirm(asked)) return note(`not created: ${file.name} (${rows}) was not deleted`);
    }
    const data = await gql(
      `mutation($input: CreateBulkActionInput!) { createBulkAction(input: $input) { ${FIELDS} } }`,
      { input },
    );
    render(data.createBulkAction);
    note(`${body.rows.toLocaleString()} rows: action ${data.createBulkAction.id}`);
    example = null;
  } catch (error) {
    note(error.message);
  }
}

async function openLogs(id, more = false) {
  const load = ++logs.load; // a later load (another action, another filter) wins
  logs.id = id;
  if (!more) logs.after = null;
  for (const row of document.querySelectorAll("#actions tr")) row.classList.toggle("selected", row.dataset.id === id);
  $("#logs").hidden = false;
  $("#logs-of").textContent = id;
  if (actions.has(id)) showControls(actions.get(id));
  const status = $("#log-status").value || null;
  const data = await gql(
    `query($id: ID!, $status: LogStatus, $after: String) {
      bulkActionLogs(id: $id, status: $status, first: 50, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { node { row status reason entityId message } }
      } }`,
    { id, status, after: logs.after },
  );
  if (load !== logs.load) return;
  if (!more) $("#log-rows tbody").innerHTML = "";
  const page = data.bulkActionLogs;
  for (const { node } of page.edges) {
    const tr = document.createElement("tr");
    tr.innerHTML = `<td>${node.row}</td><td class="${node.status}">${node.status}</td><td>${node.reason}</td><td>${node.entityId ?? ""}</td><td></td>`;
    tr.lastChild.textContent = node.message ?? "";
    $("#log-rows tbody").append(tr);
  }
  logs.after = page.pageInfo.endCursor;
  $("#more").hidden = !page.pageInfo.hasNextPage;
}

// A served CSV saved by the browser, with UTF-8's byte order mark, which Excel needs to
// read the file's letters right; where the browser's locale writes decimals with a comma,
// as Excel there saves and opens CSV (separated by ';', numbers with a decimal comma).
async function download(path, name) {
  const separator = path.includes("?") ? "&" : "?";
  const comma = new Intl.NumberFormat().format(1.5).includes(",");
  const response = await fetch(`${path}${separator}bom=true${comma ? "&decimalMark=comma" : ""}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!response.ok) return note(`${name}: ${(await response.json()).error.message}`);
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}

function downloadFailed() {
  return download(`/bulk-actions/${logs.id}/logs.csv?status=FAILED`, `bulk-action-${logs.id}-failed.csv`);
}

$("#token-form").addEventListener("submit", start);
showDripForm();
$("#pace-form").addEventListener("submit", (event) => {
  event.preventDefault();
  changePace({ batchSize: Number($("#pace-size").value), everySeconds: Number($("#pace-every").value) });
});
$("#pace-off").addEventListener("click", () => changePace(null));
$("#submit-form").addEventListener("submit", submit);
function useExample() {
  example = exampleCsv();
  $("#file").value = "";
  $("#encoding").value = "utf-8";
  $("#decimal-mark").value = "POINT";
  $("#date-order").value = "";
  // The example is contacts to insert: the lists say so, as the note does.
  $("#entity").value = "CONTACT";
  $("#action").value = "INSERT";
  $("#targets").value = "file";
  readHeader(example);
  note(`example ready: ${example.name} (250 contacts), CONTACT / INSERT: submit`);
}

$("#example").addEventListener("click", useExample);
$("#file").addEventListener("change", () => {
  const file = $("#file").files[0];
  if (file) note(`${file.name}: choose what to do with it, then submit`);
  if (file) readHeader(file);
});
$("#encoding").addEventListener("change", () => {
  const file = $("#file").files[0] || example;
  if (file) readHeader(file);
});
$("#entity").addEventListener("change", () => loadFields().catch((error) => note(error.message)));
$("#action").addEventListener("change", showTargets);
$("#targets").addEventListener("change", showTargets);
$("#add-condition").addEventListener("click", addCondition);
$("#log-status").addEventListener("change", () => logs.id && openLogs(logs.id));
for (const id of ["#filter-status", "#filter-type", "#filter-from", "#filter-to"]) {
  $(id).addEventListener("change", () => loadActions().catch((error) => note(error.message)));
}
$("#more").addEventListener("click", () => openLogs(logs.id, true));
$("#download").addEventListener("click", downloadFailed);
if (token) {
  $("#token").value = token;
  start();
}
