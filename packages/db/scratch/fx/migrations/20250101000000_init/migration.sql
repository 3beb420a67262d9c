CREATE TABLE "T" (id int primary key, c text);
CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;
