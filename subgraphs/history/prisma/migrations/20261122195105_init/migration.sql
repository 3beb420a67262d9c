-- CreateTable
CREATE TABLE "object_change" (
    "id" UUID NOT NULL,
    "time" TIMESTAMPTZ(6) NOT NULL,
    "user_id" TEXT,
    "user_name" TEXT,
    "request_id" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "changed_object_type" TEXT NOT NULL,
    "changed_object_id" UUID NOT NULL,
    "object_repr" TEXT NOT NULL,
    "prechange_data" JSONB,
    "postchange_data" JSONB,
    "branch" TEXT NOT NULL,
    "recorded" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "object_change_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "object_change_changed_object_id_time_idx" ON "object_change"("changed_object_id", "time");

-- CreateIndex
CREATE INDEX "object_change_time_idx" ON "object_change"("time");

-- CreateIndex
CREATE INDEX "object_change_request_id_idx" ON "object_change"("request_id");
