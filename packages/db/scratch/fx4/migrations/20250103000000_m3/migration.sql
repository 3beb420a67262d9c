CREATE TABLE "T3" (id int primary key);
SELECT pg_sleep(0.2);
