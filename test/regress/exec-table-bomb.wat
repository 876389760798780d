;; Regression (found 2026-11-21 while reviewing what fuzz-exec bounds):
;; tables are not bounded by any store limit, so a tiny module makes the host
;; allocate gigabytes whatever the memory limit.
;;
;; Each table may hold up to WRT_MAX_TABLE = 10,000,000 elements (8 bytes
;; each: 80 MB), but nothing bounds their sum: runtime/instance.c
;; table_create() callocs limits.min elements for every defined table at
;; instantiation, and wrt_table_grow_internal() lets table.grow reach the
;; per-table maximum at run time; the snapshot wrt_instantiate takes copies
;; every table again.  wrt_store_set_memory_limit() covers only linear
;; memories.  A 279-byte module with 40 such tables makes
;; `wasm-run --max-pages 16` reach 6.2 GB of RSS (3.2 GB of tables, as much
;; again in the snapshot) and spend 21 s in instantiation; inside PostgreSQL
;; that is a backend any role can push into the OOM killer (and a
;; cluster-wide crash restart).  Below, 4 tables: 320 MB, 640 MB with the
;; snapshot, while fuzz-exec checks that an instance holds at most 256 MiB
;; of host memory (wrt_instance_memory_usage) under a 2 MiB memory limit.
;; Expected: instantiation refused (WRT_ERR_LIMIT) or the tables counted
;; against a store-wide budget, for module-defined tables and table.grow alike.
(module
  (table 10000000 funcref)
  (table 10000000 funcref)
  (table 10000000 externref)
  (table 10000000 externref)
  (func (export "size") (result i32)
    (i32.add (table.size 0) (table.size 3))))
