DROP TABLE article_files;
DROP TABLE articles;
DROP TABLE storage_connections;
