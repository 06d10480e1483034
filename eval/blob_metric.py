"""The blob metric now lives in the product (`colorizer.check.blobs`: the check reports
isolated blobs); eval imports it from there. Names kept importable from here."""

from colorizer.check.blobs import (
    DEFAULT_SETTINGS,
    EIGHT_CONNECTED,
    HUE_FAMILIES,
    MAX_AREA_SHARE,
    MAX_RING_CHROMA,
    MIN_AREA_SHARE,
    OPENING_PX,
    RING_GAP,
    RING_WIDTH,
    SATURATED_CHROMA,
    Blob,
    BlobSettings,
    BlobSummary,
    blob_mask,
    blob_summary,
    candidate_blobs,
    dataset_summary,
    find_blobs,
    hue_family,
    lab_of_output,
    saturated_components,
)

__all__ = ["DEFAULT_SETTINGS", "EIGHT_CONNECTED", "HUE_FAMILIES", "MAX_AREA_SHARE",
           "MAX_RING_CHROMA", "MIN_AREA_SHARE", "OPENING_PX", "RING_GAP", "RING_WIDTH",
           "SATURATED_CHROMA", "Blob", "BlobSettings", "BlobSummary", "blob_mask",
           "blob_summary", "candidate_blobs", "dataset_summary", "find_blobs", "hue_family",
           "lab_of_output", "saturated_components"]
