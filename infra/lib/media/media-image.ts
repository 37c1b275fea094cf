import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IgnoreMode } from 'aws-cdk-lib';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import type { Construct } from 'constructs';

export const MEDIA_DOCKERFILE = 'media-service/Dockerfile';
/** BuildKit reads `<Dockerfile>.dockerignore` beside the Dockerfile; CDK's staging copy uses the same list. */
export const MEDIA_DOCKERIGNORE = 'media-service/Dockerfile.dockerignore';

/** The ignore patterns of the media image's build context (the repository root). */
export function mediaImageIgnorePatterns(rootDir: string): string[] {
  return readFileSync(join(rootDir, MEDIA_DOCKERIGNORE), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

/**
 * The media service image, built from the repository root (it imports `shared/`). At synth the
 * context is only copied, filtered by the ignore file so that node_modules never enters cdk.out;
 * Docker builds it at deploy time for ARM64, matching the Fargate runtime platform.
 */
export function mediaImageAsset(scope: Construct, id: string, rootDir: string): ecrAssets.DockerImageAsset {
  return new ecrAssets.DockerImageAsset(scope, id, {
    directory: rootDir,
    file: MEDIA_DOCKERFILE,
    platform: ecrAssets.Platform.LINUX_ARM64,
    exclude: mediaImageIgnorePatterns(rootDir),
    ignoreMode: IgnoreMode.DOCKER,
  });
}
