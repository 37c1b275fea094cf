import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Bindable } from './bindings.ts';

export interface PlatformFunctionProps {
  /** Repository root: esbuild resolves `#shared/*` through its package.json `imports`. */
  rootDir: string;
  /** Handler module relative to the root; it exports `handler`. */
  entry: string;
  description: string;
  environment: Record<string, string>;
  logRetentionDays: number;
  /** Removal policy of the log group (retained in prod). */
  retainLogs: boolean;
  timeout?: Duration;
  memorySize?: number;
  reservedConcurrency?: number;
  /**
   * The handler uses LanceDB, whose engine is a native module: it runs on x86_64 with LanceDB's
   * linux-x64-gnu binary package copied next to the bundle (esbuild bundles the JavaScript).
   */
  lanceDb?: boolean;
}

/**
 * LanceDB functions run on x86_64: npm installs only the native package of the machine it runs on
 * (linux-x64-gnu on the build hosts), and the asset must carry the binary of the Lambda's own
 * architecture. Both come from here so they cannot drift (platform-function.test.ts checks the
 * installed binary's ELF machine against it).
 */
export const LANCE_ARCHITECTURE = lambda.Architecture.X86_64;

/** LanceDB's native package for a Lambda architecture (Lambda's Linux is glibc). */
export const lanceNativePackage = (architecture: lambda.Architecture) =>
  `@lancedb/lancedb-linux-${architecture === lambda.Architecture.ARM_64 ? 'arm64' : 'x64'}-gnu`;

const LANCE_NATIVE_PACKAGE = lanceNativePackage(LANCE_ARCHITECTURE);

function lanceBundling(): nodejs.BundlingOptions {
  return {
    ...BUNDLING,
    externalModules: [LANCE_NATIVE_PACKAGE],
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir: string, outputDir: string) => [
        `mkdir -p "${outputDir}/node_modules/@lancedb"`,
        `cp -R "${inputDir}/node_modules/${LANCE_NATIVE_PACKAGE}" "${outputDir}/node_modules/@lancedb/"`,
      ],
    },
  };
}

/**
 * esbuild output settings pinned for every function. The AWS SDK v3 is bundled, not taken from the
 * runtime: the bundle then runs the exact SDK version the tests ran against, and tree-shaking the
 * ESM builds keeps only the commands a handler uses (smaller than loading the runtime's full
 * clients). ESM output needs a `require` for the few CommonJS dependencies, hence the banner.
 */
const BUNDLING: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  target: 'node22',
  mainFields: ['module', 'main'],
  minify: true,
  sourceMap: true,
  sourceMapMode: nodejs.SourceMapMode.DEFAULT,
  sourcesContent: false,
  bundleAwsSDK: true,
  externalModules: [],
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  logLevel: nodejs.LogLevel.ERROR,
};

/**
 * The one way the platform builds a Lambda: Node.js 22 on ARM64 (cheaper per ms, same code),
 * bundled by the local esbuild (no Docker), source-mapped stack traces, its own log group with a
 * retention period, JSON logs. Implements `Bindable`, so `bindTable(fn, table)` etc. apply.
 */
export class PlatformFunction extends Construct implements Bindable {
  readonly function: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly entry: string;

  constructor(scope: Construct, id: string, props: PlatformFunctionProps) {
    super(scope, id);
    this.entry = props.entry;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: join(props.rootDir, props.entry),
      handler: 'handler',
      projectRoot: props.rootDir,
      depsLockFilePath: join(props.rootDir, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: props.lanceDb ? LANCE_ARCHITECTURE : lambda.Architecture.ARM_64,
      description: props.description,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      reservedConcurrentExecutions: props.reservedConcurrency,
      logGroup: this.logGroup,
      // X-Ray active tracing; Powertools Tracer (functions/lib/tracer.ts) adds call annotations.
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        ...props.environment,
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: props.lanceDb ? lanceBundling() : BUNDLING,
    });
  }

  get grantPrincipal() {
    return this.function.grantPrincipal;
  }

  addEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }
}
