-- CreateEnum
CREATE TYPE "BranchStatus" AS ENUM ('OPEN', 'NEED_REBASE', 'MERGING', 'MERGED', 'DELETED');

-- CreateEnum
CREATE TYPE "InstallationKey" AS ENUM ('THIS');

-- CreateTable
CREATE TABLE "branches" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "status" "BranchStatus" NOT NULL DEFAULT 'OPEN',
    "branched_from" TIMESTAMPTZ(6) NOT NULL,
    "isolated" BOOLEAN NOT NULL DEFAULT true,
    "created_by" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    "merged_at" TIMESTAMPTZ(6),

    CONSTRAINT "branches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "installation" (
    "id" "InstallationKey" NOT NULL DEFAULT 'THIS',
    "deployment_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "installation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "branches_name_key" ON "branches"("name");

-- CreateIndex
CREATE INDEX "branches_status_idx" ON "branches"("status");

-- CreateIndex
CREATE UNIQUE INDEX "installation_deployment_id_key" ON "installation"("deployment_id");
