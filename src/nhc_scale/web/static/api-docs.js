// The API reference at /docs, drawn from the appliance's own /openapi.json. Nothing is loaded
// from elsewhere (the scale is often offline, and this origin holds the page's admin token), and
// every text from the schema goes in as text, never as markup.

const METHODS = ["get", "put", "post", "patch", "delete"];

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function refName(ref) {
  return ref.split("/").pop();
}

// A schema in a few words: "Session", "array of Rep", "integer or null", "one of kg, N, lb".
function typeOf(schema) {
  if (!schema || typeof schema !== "object") return element("span", { text: "any" });
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return element("a", { href: `#schema-${name}`, class: "schema-name", text: name });
  }
  const options = schema.anyOf || schema.oneOf;
  if (options) {
    const span = element("span");
    options.forEach((option, index) => {
      if (index) span.append(" or ");
      span.append(typeOf(option));
    });
    return span;
  }
  if (schema.enum) {
    return element("span", { text: `one of ${schema.enum.map(String).join(", ")}` });
  }
  if (schema.type === "array") {
    return element("span", {}, "array of ", typeOf(schema.items));
  }
  const type = Array.isArray(schema.type) ? schema.type.join(" or ") : schema.type || "any";
  return element("span", { text: schema.format ? `${type} (${schema.format})` : type });
}

function table(headings, rows) {
  const head = element("tr", {}, ...headings.map((text) => element("th", { text })));
  const body = rows.map((cells) =>
    element("tr", {}, ...cells.map((cell) => element("td", {}, cell))),
  );
  return element("table", {}, element("thead", {}, head), element("tbody", {}, ...body));
}

function schemaOfContent(content) {
  const types = Object.keys(content || {});
  if (!types.length) return null;
  const schema = content[types[0]].schema;
  if (!schema) return element("span", { text: types.join(", ") });
  return element("span", {}, `${types.join(", ")}: `, typeOf(schema));
}

function operation(path, method, item, securitySchemes) {
  const box = element("article", {
    class: "operation",
    id: `${method}-${path}`,
    "data-testid": "operation",
    "data-method": method,
    "data-path": path,
  });
  box.append(
    element(
      "h3",
      {},
      element("span", { class: `method method-${method}`, text: method }),
      element("span", { class: "path", text: path }),
    ),
  );
  if (item.summary) box.append(element("p", { text: item.summary }));
  if (item.description) box.append(element("p", { class: "description", text: item.description }));
  const security = (item.security || []).flatMap((entry) => Object.keys(entry));
  if (security.length) {
    const schemes = security.map((name) => securitySchemes[name]?.description || name);
    box.append(
      element(
        "p",
        {},
        element("span", { class: "auth", text: "Needs the admin token" }),
        ` (Authorization: Bearer <token>). ${schemes.join(" ")}`,
      ),
    );
  }
  const parameters = item.parameters || [];
  if (parameters.length) {
    box.append(
      element("h4", { text: "Parameters" }),
      table(
        ["name", "in", "required", "type", "description"],
        parameters.map((p) => [
          element("code", { text: p.name }),
          p.in,
          p.required ? "yes" : "no",
          typeOf(p.schema),
          p.description || "",
        ]),
      ),
    );
  }
  if (item.requestBody) {
    const body = schemaOfContent(item.requestBody.content) || "none";
    box.append(element("h4", { text: "Body" }), element("p", {}, body));
  }
  const responses = Object.entries(item.responses || {}).sort(([a], [b]) => a.localeCompare(b));
  if (responses.length) {
    box.append(
      element("h4", { text: "Answers" }),
      table(
        ["status", "meaning", "body"],
        responses.map(([status, answer]) => [
          element("code", { text: status }),
          answer.description || "",
          schemaOfContent(answer.content) || "",
        ]),
      ),
    );
  }
  return box;
}

function schemaSection(name, schema) {
  const section = element("article", { class: "operation", id: `schema-${name}` });
  section.append(element("h3", { class: "schema-name", text: name }));
  if (schema.description) {
    section.append(element("p", { class: "description", text: schema.description }));
  }
  const required = new Set(schema.required || []);
  const properties = Object.entries(schema.properties || {});
  if (properties.length) {
    section.append(
      table(
        ["field", "type", "required", "description"],
        properties.map(([field, property]) => [
          element("code", { text: field }),
          typeOf(property),
          required.has(field) ? "yes" : "no",
          property.description || "",
        ]),
      ),
    );
  } else {
    section.append(element("p", {}, typeOf(schema)));
  }
  return section;
}

function render(spec) {
  const info = spec.info || {};
  const title = `${info.title || "API"} ${info.version || ""}: HTTP API`;
  document.title = title;
  document.getElementById("title").textContent = title;
  const summary = document.getElementById("summary");
  summary.replaceChildren(
    `${info.description || ""} The machine-readable description is `,
    element("a", { href: "/openapi.json", text: "/openapi.json" }),
    " (OpenAPI 3).",
  );
  const securitySchemes = spec.components?.securitySchemes || {};
  const index = element("ul");
  const operations = document.getElementById("operations");
  for (const [path, item] of Object.entries(spec.paths || {})) {
    for (const method of METHODS) {
      if (!item[method]) continue;
      const box = operation(path, method, item[method], securitySchemes);
      operations.append(box);
      index.append(
        element("li", {}, element("a", { href: `#${box.id}` }, `${method.toUpperCase()} ${path}`)),
      );
    }
  }
  document.getElementById("index").append(index);
  const schemas = document.getElementById("schemas");
  for (const [name, schema] of Object.entries(spec.components?.schemas || {})) {
    schemas.append(schemaSection(name, schema));
  }
  schemas.hidden = false;
}

async function main() {
  try {
    const response = await fetch("/openapi.json", { cache: "no-cache" });
    if (!response.ok) throw new Error(`the scale answered ${response.status}`);
    render(await response.json());
  } catch (error) {
    document.getElementById("summary").textContent =
      `Could not read /openapi.json (${error.message}); is the scale still running?`;
  }
}

main();
