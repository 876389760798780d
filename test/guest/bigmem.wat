;; bigmem.wat — declares 200 pages (12.5 MB) of memory: instantiation fails
;; when pgwasm.max_memory is lower (sql/traps.sql).
(module
  (memory 200)
  (func (export "pages") (result i32) (memory.size)))
