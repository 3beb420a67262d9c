CREATE TABLE "T2" (id int primary key);
SELECT pg_sleep(0.2);
