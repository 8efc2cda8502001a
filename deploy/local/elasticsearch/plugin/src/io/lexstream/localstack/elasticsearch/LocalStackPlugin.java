/*
 * The Elasticsearch 8 build that Elastic publishes to Maven Central
 * (org.elasticsearch.distribution.integ-test-zip) carries only the transport, APM and X-Pack
 * security modules. The local stack needs a few things the full distribution gets from its
 * analysis-common and rest-root modules, so this plugin provides them with the same names and
 * settings, built on the Lucene analyzers that ship in the distribution's lib/:
 *
 *  - language analyzers (english, french, german, spanish, italian, dutch, portuguese and more),
 *    each taking "stopwords", "stopwords_path" and "stem_exclusion" like the built-in ones;
 *  - tokenizers keyword, whitespace, path_hierarchy (delimiter, replacement, buffer_size,
 *    reverse, skip);
 *  - token filters asciifolding (preserve_original) and elision (articles, articles_case);
 *  - GET / and HEAD / (node, cluster and version info), which clients use for info() and ping().
 *
 * Only used by deploy/local/stack.sh; production runs the full Elasticsearch distribution.
 */
package io.lexstream.localstack.elasticsearch;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.core.KeywordTokenizer;
import org.apache.lucene.analysis.core.WhitespaceTokenizer;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.path.PathHierarchyTokenizer;
import org.apache.lucene.analysis.path.ReversePathHierarchyTokenizer;
import org.apache.lucene.analysis.util.ElisionFilter;
import org.elasticsearch.Build;
import org.elasticsearch.cluster.metadata.IndexNameExpressionResolver;
import org.elasticsearch.cluster.node.DiscoveryNodes;
import org.elasticsearch.cluster.service.ClusterService;
import org.elasticsearch.common.bytes.BytesArray;
import org.elasticsearch.common.io.stream.NamedWriteableRegistry;
import org.elasticsearch.common.settings.ClusterSettings;
import org.elasticsearch.common.settings.IndexScopedSettings;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.common.settings.SettingsFilter;
import org.elasticsearch.env.Environment;
import org.elasticsearch.features.NodeFeature;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractIndexAnalyzerProvider;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.AbstractTokenizerFactory;
import org.elasticsearch.index.analysis.Analysis;
import org.elasticsearch.index.analysis.AnalyzerProvider;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.ActionPlugin;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestController;
import org.elasticsearch.rest.RestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.xcontent.XContentBuilder;

public final class LocalStackPlugin extends Plugin implements AnalysisPlugin, ActionPlugin {

    private volatile ClusterService clusterService;

    @Override
    public java.util.Collection<?> createComponents(PluginServices services) {
        this.clusterService = services.clusterService();
        return List.of();
    }

    // ---- analyzers ------------------------------------------------------------------------

    /** A Lucene language analyzer built from (stop words, stem exclusions). */
    private static AnalysisProvider<AnalyzerProvider<? extends Analyzer>> language(
            CharArraySet defaultStopWords,
            BiFunction<CharArraySet, CharArraySet, Analyzer> factory) {
        return (IndexSettings indexSettings, Environment env, String name, Settings settings) -> {
            Analyzer analyzer = factory.apply(
                    Analysis.parseStopWords(env, settings, defaultStopWords),
                    Analysis.parseStemExclusion(settings, CharArraySet.EMPTY_SET));
            return new AbstractIndexAnalyzerProvider<Analyzer>(name, settings) {
                @Override
                public Analyzer get() {
                    return analyzer;
                }
            };
        };
    }

    @Override
    public Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> getAnalyzers() {
        Map<String, AnalysisProvider<AnalyzerProvider<? extends Analyzer>>> analyzers = new TreeMap<>();
        analyzers.put("english", language(org.apache.lucene.analysis.en.EnglishAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.en.EnglishAnalyzer::new));
        analyzers.put("french", language(org.apache.lucene.analysis.fr.FrenchAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.fr.FrenchAnalyzer::new));
        analyzers.put("german", language(org.apache.lucene.analysis.de.GermanAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.de.GermanAnalyzer::new));
        analyzers.put("spanish", language(org.apache.lucene.analysis.es.SpanishAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.es.SpanishAnalyzer::new));
        analyzers.put("italian", language(org.apache.lucene.analysis.it.ItalianAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.it.ItalianAnalyzer::new));
        analyzers.put("dutch", language(org.apache.lucene.analysis.nl.DutchAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.nl.DutchAnalyzer::new));
        analyzers.put("portuguese", language(org.apache.lucene.analysis.pt.PortugueseAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.pt.PortugueseAnalyzer::new));
        analyzers.put("brazilian", language(org.apache.lucene.analysis.br.BrazilianAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.br.BrazilianAnalyzer::new));
        analyzers.put("catalan", language(org.apache.lucene.analysis.ca.CatalanAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.ca.CatalanAnalyzer::new));
        analyzers.put("czech", language(org.apache.lucene.analysis.cz.CzechAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.cz.CzechAnalyzer::new));
        analyzers.put("danish", language(org.apache.lucene.analysis.da.DanishAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.da.DanishAnalyzer::new));
        analyzers.put("finnish", language(org.apache.lucene.analysis.fi.FinnishAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.fi.FinnishAnalyzer::new));
        analyzers.put("norwegian", language(org.apache.lucene.analysis.no.NorwegianAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.no.NorwegianAnalyzer::new));
        analyzers.put("romanian", language(org.apache.lucene.analysis.ro.RomanianAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.ro.RomanianAnalyzer::new));
        analyzers.put("russian", language(org.apache.lucene.analysis.ru.RussianAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.ru.RussianAnalyzer::new));
        analyzers.put("swedish", language(org.apache.lucene.analysis.sv.SwedishAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.sv.SwedishAnalyzer::new));
        analyzers.put("turkish", language(org.apache.lucene.analysis.tr.TurkishAnalyzer.getDefaultStopSet(),
                org.apache.lucene.analysis.tr.TurkishAnalyzer::new));
        return analyzers;
    }

    // ---- tokenizers -----------------------------------------------------------------------

    /** A tokenizer factory whose tokenizers need no settings. */
    private static AnalysisProvider<TokenizerFactory> simpleTokenizer(Supplier<Tokenizer> factory) {
        return (indexSettings, env, name, settings) -> new AbstractTokenizerFactory(indexSettings, settings, name) {
            @Override
            public Tokenizer create() {
                return factory.get();
            }
        };
    }

    private static char singleChar(Settings settings, String key, char fallback) {
        String value = settings.get(key);
        if (value == null) {
            return fallback;
        }
        if (value.length() != 1) {
            throw new IllegalArgumentException("[" + key + "] must be exactly one character, got [" + value + "]");
        }
        return value.charAt(0);
    }

    private static AnalysisProvider<TokenizerFactory> pathHierarchy() {
        return (indexSettings, env, name, settings) -> {
            char delimiter = singleChar(settings, "delimiter", PathHierarchyTokenizer.DEFAULT_DELIMITER);
            char replacement = singleChar(settings, "replacement", delimiter);
            int bufferSize = settings.getAsInt("buffer_size", 1024);
            boolean reverse = settings.getAsBoolean("reverse", false);
            int skip = settings.getAsInt("skip", 0);
            return new AbstractTokenizerFactory(indexSettings, settings, name) {
                @Override
                public Tokenizer create() {
                    return reverse
                            ? new ReversePathHierarchyTokenizer(bufferSize, delimiter, replacement, skip)
                            : new PathHierarchyTokenizer(bufferSize, delimiter, replacement, skip);
                }
            };
        };
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        Map<String, AnalysisProvider<TokenizerFactory>> tokenizers = new TreeMap<>();
        tokenizers.put("keyword", simpleTokenizer(KeywordTokenizer::new));
        tokenizers.put("whitespace", simpleTokenizer(WhitespaceTokenizer::new));
        tokenizers.put("path_hierarchy", pathHierarchy());
        tokenizers.put("PathHierarchy", pathHierarchy());
        return tokenizers;
    }

    // ---- token filters --------------------------------------------------------------------

    private static final class AsciiFoldingFactory extends AbstractTokenFilterFactory
            implements NormalizingTokenFilterFactory {
        private final boolean preserveOriginal;

        AsciiFoldingFactory(String name, Settings settings) {
            super(name, settings);
            this.preserveOriginal = settings.getAsBoolean("preserve_original", false);
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new ASCIIFoldingFilter(tokenStream, preserveOriginal);
        }

        @Override
        public TokenStream normalize(TokenStream tokenStream) {
            return new ASCIIFoldingFilter(tokenStream, false);
        }
    }

    private static final class ElisionFactory extends AbstractTokenFilterFactory
            implements NormalizingTokenFilterFactory {
        private final CharArraySet articles;

        ElisionFactory(Environment env, String name, Settings settings) {
            super(name, settings);
            CharArraySet parsed = Analysis.parseArticles(env, settings);
            this.articles = parsed == null ? org.apache.lucene.analysis.fr.FrenchAnalyzer.DEFAULT_ARTICLES : parsed;
        }

        @Override
        public TokenStream create(TokenStream tokenStream) {
            return new ElisionFilter(tokenStream, articles);
        }
    }

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        Map<String, AnalysisProvider<TokenFilterFactory>> filters = new TreeMap<>();
        filters.put("asciifolding", (indexSettings, env, name, settings) -> new AsciiFoldingFactory(name, settings));
        filters.put("elision", (indexSettings, env, name, settings) -> new ElisionFactory(env, name, settings));
        return filters;
    }

    // ---- GET / ----------------------------------------------------------------------------

    private final class RootHandler extends BaseRestHandler {
        @Override
        public String getName() {
            return "lexstream_local_root";
        }

        @Override
        public List<Route> routes() {
            return List.of(new Route(RestRequest.Method.GET, "/"), new Route(RestRequest.Method.HEAD, "/"));
        }

        @Override
        protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
            return channel -> {
                if (request.method() == RestRequest.Method.HEAD) {
                    channel.sendResponse(new RestResponse(RestStatus.OK, RestResponse.TEXT_CONTENT_TYPE, BytesArray.EMPTY));
                    return;
                }
                Build build = Build.current();
                XContentBuilder body = channel.newBuilder();
                body.startObject();
                body.field("name", clusterService.getNodeName());
                body.field("cluster_name", clusterService.getClusterName().value());
                body.field("cluster_uuid", clusterService.state().metadata().clusterUUID());
                body.startObject("version");
                body.field("number", build.qualifiedVersion());
                body.field("build_flavor", build.flavor());
                body.field("build_type", build.type().displayName());
                body.field("build_hash", build.hash());
                body.field("build_date", build.date());
                body.field("build_snapshot", build.isSnapshot());
                body.field("lucene_version", org.apache.lucene.util.Version.LATEST.toString());
                body.field("minimum_wire_compatibility_version", build.minWireCompatVersion());
                body.field("minimum_index_compatibility_version", build.minIndexCompatVersion());
                body.endObject();
                body.field("tagline", "You Know, for Search");
                body.endObject();
                channel.sendResponse(new RestResponse(RestStatus.OK, body));
            };
        }
    }

    @Override
    public java.util.Collection<RestHandler> getRestHandlers(
            Settings settings,
            NamedWriteableRegistry namedWriteableRegistry,
            RestController restController,
            ClusterSettings clusterSettings,
            IndexScopedSettings indexScopedSettings,
            SettingsFilter settingsFilter,
            IndexNameExpressionResolver indexNameExpressionResolver,
            Supplier<DiscoveryNodes> nodesInCluster,
            Predicate<NodeFeature> clusterSupportsFeature) {
        return List.of(new RootHandler());
    }
}
