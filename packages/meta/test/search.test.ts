import { describe, expect, it } from 'vitest';
import { ToolIndex, tokenize, type IndexedTool } from '../src/index';

const tool = (
  backend: string,
  name: string,
  description: string,
  properties: Record<string, object> = {},
): IndexedTool => ({
  backend,
  tool: { name, description, inputSchema: { type: 'object', properties } },
});

const tools = [
  tool('github', 'create_pull_request', 'Create a new pull request in a GitHub repository', {
    owner: {},
    repo: {},
    title: {},
  }),
  tool('github', 'list_issues', 'List issues in a GitHub repository'),
  tool('gitlab', 'create_merge_request', 'Open a merge request in a GitLab project'),
  tool('filesystem', 'read_text_file', 'Read the complete contents of a file as text', {
    path: { description: 'file path' },
  }),
  tool(
    'filesystem',
    'list_directory',
    'Get a detailed listing of all files and directories in a specified path',
  ),
  tool('weather', 'get_forecast', 'Get the weather forecast for a location'),
  tool('bing-cn', 'bing_search', '使用必应搜索指定的关键词，并返回搜索结果列表'),
  tool('k8s', 'getPods', 'List pods in a Kubernetes namespace'),
];

describe('tokenize', () => {
  it('splits identifiers, drops stop words, stems, and makes CJK bigrams', () => {
    expect(tokenize('createPullRequest')).toEqual(['creat', 'pull', 'request']);
    expect(tokenize('list_directory-files.v2')).toEqual(['list', 'directory', ...tokenize('file'), 'v2']);
    expect(tokenize('How do I search the files?')).toEqual(['search', ...tokenize('file')]);
    expect(['searching', 'searched', 'searches'].map((w) => tokenize(w))).toEqual([
      ['search'],
      ['search'],
      ['search'],
    ]);
    expect(tokenize('必应搜索 API')).toEqual(['必应', '应搜', '搜索', 'api']);
  });
});

describe('ToolIndex', () => {
  const index = new ToolIndex(tools);
  const top = (query: string, limit = 1, backend?: string) =>
    index.search(query, { limit, backend }).map((h) => `${h.backend}/${h.tool.name}`);

  it('ranks by meaning of the words, across backends', () => {
    expect(top('open a PR on github')).toEqual(['github/create_pull_request']);
    expect(top('show what is in a folder')).toEqual(['filesystem/list_directory']);
    expect(top('weather tomorrow in Paris')).toEqual(['weather/get_forecast']);
    expect(top('k8s pods')).toEqual(['k8s/getPods']);
    expect(top('GitLab MR')).toEqual(['gitlab/create_merge_request']);
  });

  it('finds Chinese descriptions', () => {
    expect(top('必应搜索')).toEqual(['bing-cn/bing_search']);
  });

  it('puts exact forms first: a bare tool name, backend/tool, backend__tool', () => {
    expect(top('list_issues')).toEqual(['github/list_issues']);
    expect(top('filesystem/read_text_file')).toEqual(['filesystem/read_text_file']);
    expect(index.search('github__list_issues')[0]).toMatchObject({ exact: true, backend: 'github' });
  });

  it('filters by backend and returns nothing when nothing matches', () => {
    expect(top('list', 5, 'filesystem')).toEqual(['filesystem/list_directory']);
    expect(index.search('zzzqqq xyzzy')).toEqual([]);
  });

  it('bridges words that users and tool authors write differently, also across English and Chinese', () => {
    const local = new ToolIndex([
      tool('office', 'add_paragraph', 'Add a paragraph to a Word document'),
      tool('office', 'copy_document', 'Copy a Word document'),
      tool('office', 'convert_to_pdf', 'Convert a Word document to PDF'),
      tool('homes', 'search_listings', 'Find houses for rent'),
      tool('trips', 'plan_trip', 'Plan a trip with flights and sights'),
      tool('calendar-cn', 'getChineseCalendar', '获取指定公历时间的黄历信息'),
    ]);
    const first = (query: string) => local.search(query)[0]?.tool.name;
    expect(first('write the text into the word document')).toBe('add_paragraph');
    expect(first('furnished apartments to lease in Boston')).toBe('search_listings');
    expect(first('get the almanac for today')).toBe('getChineseCalendar');
  });

  it('follows backend updates', () => {
    const local = new ToolIndex(tools);
    local.setBackend('weather', [tool('weather', 'get_alerts', 'Severe weather alerts for a US state')]);
    expect(local.search('forecast', { limit: 5 }).map((h) => h.tool.name)).not.toContain('get_forecast');
    expect(local.search('weather alerts')[0]!.tool.name).toBe('get_alerts');
  });
});

describe('query forms', () => {
  const index = new ToolIndex(tools);
  const names = (query: string, limit = 5) =>
    index.search(query, { limit }).map((h) => `${h.backend}/${h.tool.name}`);

  it('+word keeps only tools that have the word', () => {
    expect(names('+request list').sort()).toEqual([
      'github/create_pull_request',
      'gitlab/create_merge_request',
    ]);
    expect(names('list')).toContain('github/list_issues');
  });

  it('a backend named in the query keeps the search on its tools', () => {
    expect(names('github list')).toEqual(['github/list_issues', 'github/create_pull_request']);
    expect(names('weather files')).toEqual(['weather/get_forecast']);
    expect(names('weather')).toEqual(['weather/get_forecast']);
  });
});

describe('the semantic arm', () => {
  // A TextEmbedder of our own: two "meanings", images and files; every other word has no vector.
  const meaning: Record<string, [number, number]> = {
    glyph: [1, 0],
    image: [1, 0],
    photo: [0.9, 0.1],
    file: [0, 1],
    document: [0.1, 0.9],
  };
  const embedder = {
    dimensions: 2,
    words: (text: string) =>
      text
        .toLowerCase()
        .split(/[^a-z]+/)
        .filter((w) => w in meaning),
    embed(words: string[], weight: (w: string) => number = () => 1) {
      let [x, y] = [0, 0];
      for (const w of words) {
        x += weight(w) * meaning[w]![0];
        y += weight(w) * meaning[w]![1];
      }
      const n = Math.hypot(x, y);
      return n ? Float32Array.of(x / n, y / n) : undefined;
    },
  };
  const catalog = [...tools, tool('art', 'generate', 'Generate an image from a prompt')];

  it('finds a tool that shares no word with the query, which lexical search cannot', () => {
    expect(new ToolIndex(catalog).search('glyph').map((h) => h.tool.name)).toEqual([]);
    const hybrid = new ToolIndex(catalog, { embedder });
    expect(hybrid.search('glyph', { limit: 1 })[0]!.tool.name).toBe('generate');
    expect(hybrid.search('show me a document', { limit: 1 })[0]!.tool.name).toBe('read_text_file');
  });

  it('explains a match: the query words as written, synonyms brought in, and the closeness of meaning', () => {
    const hybrid = new ToolIndex(catalog, { embedder });
    const [hit] = hybrid.search('generate image', { limit: 1 });
    expect(hit!.tool.name).toBe('generate');
    const why = hybrid.explain('generate image', hit!);
    expect(why.words).toEqual(['generate', 'image']);
    expect(why.meaning).toBeCloseTo(1, 2);
    expect(new ToolIndex(catalog).explain('open a PR', tools[0]!)).toMatchObject({
      words: [],
      synonyms: expect.arrayContaining(['pull', 'request']),
    });
  });

  it('keeps exact names first and lexical matches ahead of loose ones', () => {
    const hybrid = new ToolIndex(catalog, { embedder });
    expect(hybrid.search('get_forecast', { limit: 1 })[0]).toMatchObject({ exact: true });
    expect(hybrid.search('weather forecast', { limit: 1 })[0]!.tool.name).toBe('get_forecast');
  });

  it('goes on by words alone when the embedder fails (an unreadable table), saying why', () => {
    const broken = {
      dimensions: 2,
      words: () => {
        throw new Error('words.bin is not a word table');
      },
      embed: () => undefined,
    };
    const index = new ToolIndex(catalog, { embedder: broken });
    expect(index.search('weather forecast', { limit: 1 })[0]!.tool.name).toBe('get_forecast');
    expect(index.semanticError).toBe('words.bin is not a word table');
  });

  it('sees a backend that changed (tool vectors are computed again)', () => {
    const hybrid = new ToolIndex(catalog, { embedder });
    expect(hybrid.search('photo', { limit: 1 })[0]!.tool.name).toBe('generate');
    hybrid.setBackend('art', []);
    expect(hybrid.search('photo', { limit: 5 }).map((h) => h.tool.name)).not.toContain('generate');
  });
});
