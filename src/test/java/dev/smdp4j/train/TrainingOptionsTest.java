package dev.smdp4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.nn.FnoConfig;
import dev.smdp4j.nn.ScoreNetConfig;
import dev.smdp4j.pipeline.StageCache;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The builder's defaults and validation, the JSON form and what older checkpoints wrote, and run keys. */
class TrainingOptionsTest {
    private static final WindowSchedule SCHEDULE = WindowSchedule.parse("1:2:4:1e-3:1e-3,4:1:4:3e-4:1e-4");

    private static TrainingOptions.Builder smdp() {
        return TrainingOptions.builder(Method.SMDP, ScoreNetConfig.smdpDefaults(), SCHEDULE);
    }

    @Test
    void builderDefaultsAreTheMethods() {
        TrainingOptions o = smdp().build();
        assertEquals(Method.SMDP.defaultScoreFactor(), o.scoreFactor());
        assertEquals(Method.SMDP.defaultWeightDecay(), o.weightDecay());
        assertEquals(Method.SMDP.defaultAnchorEvery(), o.anchorEvery());
        assertEquals(10, o.clip());
        assertEquals(1, o.anchorWeight());
        assertEquals(TrainingOptions.SPECTRAL, o.physics());
        assertEquals(TrainingOptions.DEFAULT_GRAPH_EVALUATIONS, o.graphEvaluations());
        assertNull(o.init());
        assertEquals(0, o.averageDecay());
        TrainingOptions resnet = TrainingOptions.builder(
                        Method.RESNET_S, FnoConfig.defaults(), WindowSchedule.parse("1:1:4:1e-3:1e-3"))
                .build();
        assertEquals(Method.RESNET_S.defaultWeightDecay(), resnet.weightDecay());
        assertEquals(o, o.toBuilder().build());
        assertEquals(SCHEDULE.toString(), o.withSchedule(SCHEDULE).schedule().toString());
        assertNull(smdp().init("").build().init(), "an empty init is none");
    }

    @Test
    void builderValidatesWithTheOptionsNames() {
        Map<String, UnaryOperator<TrainingOptions.Builder>> bad = new LinkedHashMap<>();
        bad.put("--val-size", b -> b.validationSize(-1));
        bad.put("--score-factor", b -> b.scoreFactor(0));
        bad.put("--anchor-every", b -> b.anchorWeight(Double.NaN));
        bad.put("--weight-decay", b -> b.weightDecay(-1));
        bad.put("--physics", b -> b.physics("exact"));
        bad.put("--graph-evals", b -> b.graphEvaluations(-1));
        bad.put("--average", b -> b.averageDecay(1));
        bad.put("--clip", b -> b.clip(0));
        for (var e : bad.entrySet()) {
            String message = assertThrows(
                            InvalidInputException.class,
                            () -> e.getValue().apply(smdp()).build(),
                            e.getKey())
                    .getMessage();
            assertTrue(message.startsWith(e.getKey()), message);
        }
        String oneShot = assertThrows(
                        InvalidInputException.class,
                        () -> TrainingOptions.builder(Method.RESNET_S, FnoConfig.defaults(), SCHEDULE)
                                .build())
                .getMessage();
        assertTrue(oneShot.contains("not unrolled"), oneShot);
        assertThrows(InvalidInputException.class, () -> smdp().method(null).build());
    }

    @Test
    void jsonFormRoundTripsAndLeavesOutTheNetworkAndTheGraphBudget() {
        TrainingOptions o = smdp().seed(42)
                .jitter(true)
                .augment(true)
                .validationSize(7)
                .clip(3)
                .anchorEvery(2)
                .anchorWeight(0.5)
                .init("/x/best.ckpt")
                .physics("surrogate:/x/s.ckpt")
                .graphEvaluations(16)
                .averageDecay(0.99)
                .build();
        JsonNode form = Json.mapper().valueToTree(o);
        assertEquals("smdp", form.path("method").asText());
        assertEquals(SCHEDULE.toString(), form.path("schedule").asText());
        assertEquals(7, form.path("val_size").asInt());
        assertFalse(
                form.has("network") || form.has("graph_evaluations") || form.has("graphEvaluations"), form.toString());
        assertEquals(o, TrainingOptions.read(form, o.network(), o.graphEvaluations()));
        assertEquals(form, Json.mapper().valueToTree(o.toMap()));
    }

    @Test
    void formsOfEarlierVersionsStillRead() throws Exception {
        // as the shipped checkpoints store it: init "", no physics (spectral), no average_decay (none)
        JsonNode old = Json.mapper()
                .readTree("{\"method\":\"smdp\",\"schedule\":\"" + SCHEDULE + "\",\"seed\":3,"
                        + "\"jitter\":false,\"augment\":true,\"val_size\":8,\"score_factor\":0.5,\"clip\":10.0,"
                        + "\"weight_decay\":0.0,\"anchor_every\":4,\"anchor_weight\":1.0,\"init\":\"\"}");
        TrainingOptions o = TrainingOptions.read(old, ScoreNetConfig.smdpDefaults(), 64);
        assertEquals(
                smdp().seed(3)
                        .augment(true)
                        .validationSize(8)
                        .scoreFactor(0.5)
                        .weightDecay(0)
                        .anchorEvery(4)
                        .build(),
                o);
        ObjectNode broken = (ObjectNode) old.deepCopy();
        broken.put("val_size", -1);
        assertThrows(
                InvalidInputException.class, () -> TrainingOptions.read(broken, ScoreNetConfig.smdpDefaults(), 64));
        broken.put("method", "no-such");
        assertThrows(
                InvalidInputException.class, () -> TrainingOptions.read(broken, ScoreNetConfig.smdpDefaults(), 64));
    }

    @Test
    void runKeysFollowWhatDeterminesTheResultOnly() {
        TrainingOptions o = smdp().seed(1).build();
        String key = key(o);
        assertEquals(12, key.length());
        assertEquals(key, key(o.toBuilder().graphEvaluations(0).build()), "the graph budget does not change results");
        assertNotEquals(key, key(o.toBuilder().seed(2).build()));
        assertNotEquals(key, key(o.toBuilder().averageDecay(0.9).build()));
        assertNotEquals(
                key,
                key(TrainingOptions.builder(Method.SMDP, ScoreNetConfig.defaults(), SCHEDULE)
                        .seed(1)
                        .build()));
        assertNotEquals(key, StageCache.runKey(o.toMap(), o.network().toMap(), "other data"));
        Map<String, Object> reordered = new LinkedHashMap<>();
        o.toMap().entrySet().stream()
                .sorted(Map.Entry.<String, Object>comparingByKey().reversed())
                .forEach(e -> reordered.put(e.getKey(), e.getValue()));
        assertEquals(key, StageCache.runKey(reordered, o.network().toMap(), "data"), "canonical: order-free");
    }

    private static String key(TrainingOptions o) {
        return StageCache.runKey(o.toMap(), o.network().toMap(), "data");
    }
}
