// The byte scanner's (scan.ts) state codes and limits: what the object at a depth is, where
// a captured value goes, how a meta value was written, and how deep and how many strings it
// tracks. Small integers, so the scanner's state fits its typed arrays and number fields.

/**
 * Containers nested deeper than this make a record slow (the whole-record decoder then
 * applies the real limit, MAX_NESTING, with its message). Real records nest a few levels.
 */
export const SCAN_DEPTH = 256;
/** Interning table slots per chunk (a power of two); past half full, strings are no longer interned. */
export const INTERN_SLOTS = 1 << 13;

/** What the object at a depth is. */
export const CTX_OTHER = 0;
export const CTX_RECORD = 1;
/** The value of the record's `data` key. */
export const CTX_DATA = 2;
/** The value of `data.fields`. */
export const CTX_FIELDS = 3;

/** Where a captured value goes: nowhere, a top-level key's slot, a data.fields key's slot. */
export const TO_NONE = 0;
export const TO_TOP = 1;
export const TO_INNER = 2;

/** How a meta value was written (a reference record needs them plain). */
export const FORM_OTHER = 0;
export const FORM_STRING = 1;
export const FORM_NUMBER = 2;
export const FORM_NULL = 3;
