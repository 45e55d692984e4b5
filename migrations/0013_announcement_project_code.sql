-- 0013_announcement_project_code.sql — an announcement keeps its project's code (given when the
-- project is accepted, before any announcement, and never changed), so the announce module reads
-- no table of the entry module's (docs/architecture.md "Adding a module": one owner per table).
ALTER TABLE announcements ADD COLUMN project_code VARCHAR(32) NULL AFTER project_id;
UPDATE announcements a JOIN projects p ON p.id = a.project_id SET a.project_code = p.code;
