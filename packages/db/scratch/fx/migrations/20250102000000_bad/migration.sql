CREATE TABLE "U" (id int);
SELECT nope FROM nothing;
