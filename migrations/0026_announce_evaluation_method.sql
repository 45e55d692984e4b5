-- 0026_announce_evaluation_method.sql — the evaluation method (评标办法) a tender announcement
-- or an amendment declares: server/rules/scoring.h's JSON, canonical, part of the signed content
-- once published; the evaluation reads the one in force (docs/evaluation.md §2).
ALTER TABLE announcements ADD COLUMN evaluation_json TEXT NULL
    COMMENT 'the declared evaluation method, canonical JSON (tender or amendment)';
