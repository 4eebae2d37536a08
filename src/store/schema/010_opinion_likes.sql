-- rectify schema (issue 9): likes of opinions (点赞数).
-- Migrations apply in file order, and the version is the position.
--
-- likes: how many people endorsed the opinion where it was first posted (the 问政 board's 点赞数,
--   data/wenzheng/messages_with_votes.csv); 0 when the source counts none. A hot issue's rank counts its
--   opinions' likes (docs/TEXT.md#hot-issues).
ALTER TABLE opinion ADD COLUMN likes INTEGER NOT NULL DEFAULT 0;
