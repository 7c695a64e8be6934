// The hub's page: log in, then the team table, an athlete, the pads. Plain ES modules, no build
// step (as the pad's page); the charts are the pad's own (/shared/charts.js).

import { api, ApiError } from "./api.js";
import { redraw, showAthlete } from "./athlete.js";
import { showPads, wirePairing } from "./pads.js";
import { showTeam } from "./team.js";

const $ = (id) => document.getElementById(id);
const VIEWS = ["team", "athlete", "pads"];
let current = null; // the athlete on the Athlete tab

function say(text) {
  $("message").textContent = text;
}

function report(error) {
  if (error instanceof ApiError && error.status === 401) {
    showLogin(error.message);
    return;
  }
  say(error.message ?? String(error));
}

function show(view) {
  for (const name of VIEWS) $(`${name}-view`).hidden = name !== view;
  for (const tab of document.querySelectorAll(".tab")) tab.setAttribute("aria-pressed", String(tab.dataset.view === view));
}

function showLogin(reason = "") {
  for (const name of VIEWS) $(`${name}-view`).hidden = true;
  document.querySelector(".tabs").hidden = true;
  $("logout").hidden = true;
  $("who").textContent = "";
  $("login-view").hidden = false;
  say(reason);
}

async function open(view) {
  say("");
  show(view);
  if (view === "team") await showTeam(openAthlete);
  if (view === "pads") await showPads();
  if (view === "athlete" && current) await showAthlete(current);
}

async function openAthlete(athlete) {
  current = athlete;
  const tab = document.querySelector('[data-view="athlete"]');
  tab.hidden = false;
  tab.textContent = athlete.name;
  await open("athlete");
}

async function start(user) {
  $("login-view").hidden = true;
  document.querySelector(".tabs").hidden = false;
  $("logout").hidden = false;
  $("who").textContent = user.username;
  await open("team");
}

function wire() {
  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => open(tab.dataset.view).catch(report));
  }
  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      const result = await api.login(form.get("username").trim(), form.get("password"));
      event.target.reset();
      await start(result.user);
    } catch (error) {
      say(error.message);
    }
  });
  $("logout").addEventListener("click", async () => {
    await api.logout().catch(() => null);
    showLogin("Logged out.");
  });
  wirePairing(report);
  window.addEventListener("hub-error", (event) => report(event.detail));
  window.addEventListener("resize", redraw);
}

async function boot() {
  wire();
  try {
    await start(await api.me());
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) showLogin();
    else report(error);
  }
}

boot();
