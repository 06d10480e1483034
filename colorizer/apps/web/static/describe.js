// The overlays in words, for a screen reader and for anyone who cannot tell their colors
// apart: the uncertainty map and the region map are pictures (alt="": nothing in them is
// text), so each switch that shows one is described by a sentence saying what its colors
// mean and what it shows for this photo, with its figures. Before, a screen reader heard
// "uncertainty, check box" and "sure unsure mean 0.41", and nothing at all of the region map.
// Uses app.js's helpers ($, pct, state) and listens for its "colorized" event.
"use strict";

// `summary`: the result's uncertainty figures (result.py's summarize_uncertainty).
function describeUncertainty(summary) {
  const above = summary["share_above_0.5"];
  $("uncertainty-about").textContent =
    "The uncertainty map colors each pixel by how sure the model is of its color: blue " +
    "sure, yellow halfway, red unsure, on a scale from 0 to 1. For this photo the mean is " +
    `${summary.mean.toFixed(2)}; ${above > 0 && above < 0.005 ? "under 1%" : pct(above)} ` +
    "of the photo is above 0.5 (more unsure than sure). Each region's confidence is listed " +
    "under Where the colors came from.";
}

// `regions`: the view's region records (rendering.py), in the region list's order.
function describeRegions(regions) {
  const shown = regions.filter((r) => r.share > 0);
  const parts = shown.map((r) => `${r.label}, ${r.share < 0.005 ? "under 1%" : pct(r.share)}`);
  $("regions-about").textContent = shown.length
    ? "The region map paints each part of the photo in one color per source of its colors " +
      `(${shown.length === 1 ? "one source" : `${shown.length} sources`}): ` +
      `${parts.join("; ")}. Each is listed with its source and confidence under Where the ` +
      "colors came from, and a region's row, when focused, outlines it on the photo."
    : "The region map paints each part of the photo by where its colors came from; " +
      "this colorization has no region to show.";
}

document.addEventListener("DOMContentLoaded", () => {
  document.addEventListener("colorized", () => {
    describeUncertainty(state.view.uncertainty);
    describeRegions(state.view.regions);
  });
});
