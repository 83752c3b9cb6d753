-- Block sampling by a number of rows (TABLESAMPLE SYSTEM_ROWS), for the words most cases share
-- in their search text (src/store/search-sample.ts): a search narrows the trigram index by its
-- other words. A trusted extension: the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS tsm_system_rows;
