const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('path');

module.exports = {
  output: { path: join(__dirname, '../../dist/apps/dlq-handler') },
  plugins: [
    new NxAppWebpackPlugin({
      target: 'node',
      compiler: 'tsc',
      main: './src/main.ts',
      tsConfig: './tsconfig.app.json',
      optimization: false,
      outputHashing: 'none',
      // The Dockerfile installs production dependencies from the root lock file instead.
      generatePackageJson: false,
      sourceMap: true,
      // `nx typecheck` checks types; the bundle build only transpiles.
      skipTypeChecking: true,
    }),
  ],
};
