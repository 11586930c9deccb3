/**
 * What `meshgov init` writes into a new governance repository: the template files (shipped in the package's
 * `templates/` directory) at their destinations, with the meshgov version and the GitHub Action reference filled
 * in, plus the published JSON Schemas the mesh files' modelines point at. Pure: the caller reads the templates.
 */
import { InternalError } from '../diagnostics/diagnostic.js';
import { domainFileSchema, meshSchema, schemaText } from '../model/schema.js';

/** Where meshgov's GitHub Action lives; a workflow uses it as `meshgov/meshgov@v<version>`. */
export const ACTION_REPOSITORY = 'meshgov/meshgov';

/**
 * Template file (relative to templates/) -> destination (relative to the new repository). Template names carry
 * no leading dots: npm leaves `.gitignore` out of packages, and dot-directories are easy to lose on the way.
 */
export const TEMPLATE_FILES: readonly { template: string; dest: string }[] = [
  { template: 'mesh.yaml', dest: 'mesh.yaml' },
  { template: 'domains/example.yaml', dest: 'domains/example.yaml' },
  { template: 'policies/README.md', dest: 'policies/README.md' },
  { template: 'CODEOWNERS', dest: '.github/CODEOWNERS' },
  { template: 'github/workflows/plan.yml', dest: '.github/workflows/plan.yml' },
  { template: 'github/workflows/apply.yml', dest: '.github/workflows/apply.yml' },
  { template: 'github/workflows/audit.yml', dest: '.github/workflows/audit.yml' },
  { template: 'github/workflows/ci.yml', dest: '.github/workflows/ci.yml' },
  { template: 'README.md', dest: 'README.md' },
  { template: 'gitignore', dest: '.gitignore' },
];

export interface ScaffoldOptions {
  /** The meshgov version the repository is pinned to (the running one), e.g. `0.1.0`. */
  version: string;
  /** How workflows reference the Action; default `meshgov/meshgov@v<version>`. */
  action?: string;
}

export interface ScaffoldFile {
  /** Destination relative to the repository root, `/`-separated, never absolute and never with `..`. */
  path: string;
  text: string;
}

/** The Action reference for a version: the release tag `v<version>`. */
export function actionRef(version: string): string {
  return `${ACTION_REPOSITORY}@v${version}`;
}

/** Fill in a template's placeholders: `__MESHGOV_VERSION__` and `__MESHGOV_ACTION__`. */
export function fillTemplate(text: string, o: ScaffoldOptions): string {
  const action = o.action ?? actionRef(o.version);
  return text.replaceAll('__MESHGOV_ACTION__', action).replaceAll('__MESHGOV_VERSION__', o.version);
}

/** Every file of a new governance repository, in TEMPLATE_FILES order, then the schemas. */
export function scaffoldFiles(templates: ReadonlyMap<string, string>, o: ScaffoldOptions): ScaffoldFile[] {
  const files = TEMPLATE_FILES.map(({ template, dest }) => {
    const text = templates.get(template);
    // The templates ship with meshgov: a missing one is a broken installation, not a user error.
    if (text === undefined) throw new InternalError(`template ${template} is missing from the meshgov package`);
    return { path: dest, text: fillTemplate(text, o) };
  });
  files.push({ path: 'schema/mesh.schema.json', text: schemaText(meshSchema) });
  files.push({ path: 'schema/domain.schema.json', text: schemaText(domainFileSchema) });
  return files;
}
