/**
 * The light form of the schema library, pinned in one place: zod's `mini`
 * build (the same validator, functional API, tree-shaken), for the
 * protocol's message schemas, which the sandbox process bundles (full zod
 * added about 440 KB to its code and 12 MiB to its resident memory).
 *
 * @module
 */
export * from "npm:zod@4.6.7/mini";
