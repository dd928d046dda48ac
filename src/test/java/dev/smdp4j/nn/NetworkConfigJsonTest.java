package dev.smdp4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every network configuration through its JSON form, and the forms older checkpoints wrote. */
class NetworkConfigJsonTest {

    private static JsonNode parse(String json) throws Exception {
        return Json.mapper().readTree(json);
    }

    @Test
    void everyConfigurationRoundTripsThroughJson() throws Exception {
        List<NetworkConfig> all = List.of(
                ScoreNetConfig.defaults(),
                ScoreNetConfig.smdpDefaults(),
                new ScoreNetConfig(8, 1, 3, new int[] {1, 2}, "gelu", 4, new int[] {-1, 0, 2}, false),
                FnoConfig.defaults(),
                new FnoConfig(2, 4, 1, 8),
                UNetConfig.defaults(),
                new UNetConfig(3, 2, 0),
                MlpConfig.toyDefaults(),
                new MlpConfig(List.of(4, 3), 2),
                SurrogateNetConfig.defaults());
        for (NetworkConfig c : all) {
            String text = Json.mapper().writeValueAsString(c);
            NetworkConfig back = NetworkConfig.read(parse(text));
            assertEquals(c, back, text);
            assertEquals(c.getClass(), back.getClass());
            assertEquals(c.architecture(), parse(text).path("architecture").asText(), text);
            assertEquals(c, NetworkConfig.fromMap(c.toMap()));
            // also as a value of a map (how checkpoint metadata holds it), where the declared type is Object
            JsonNode inMap =
                    Json.mapper().valueToTree(java.util.Map.of("network", c)).path("network");
            assertEquals(c.architecture(), inMap.fields().next().getValue().asText(), "architecture first: " + inMap);
            assertEquals(c, NetworkConfig.read(inMap));
        }
        assertEquals(
                "{\"architecture\":\"fno\",\"layers\":4,\"modes\":12,\"projection\":128,\"width\":20}",
                Json.canonical(FnoConfig.defaults()));
    }

    @Test
    void olderFormsStillRead() throws Exception {
        // the first checkpoints: no architecture, no spectral branch
        assertEquals(
                ScoreNetConfig.defaults(),
                NetworkConfig.read(
                        parse(
                                "{\"width\":32,\"blocks\":4,\"kernel\":3,\"dilations\":[1,2,4,8],\"activation\":\"leaky-relu\"}")));
        // the first form of the field powers, spectral_field_terms: P = powers 0 .. P-1
        assertEquals(
                new ScoreNetConfig(8, 1, 3, new int[] {1}, "leaky-relu", 4, new int[] {0, 1, 2}),
                NetworkConfig.read(parse("{\"architecture\":\"score-net\",\"width\":8,\"blocks\":1,\"kernel\":3,"
                        + "\"dilations\":[1],\"activation\":\"leaky-relu\",\"spectral_modes\":4,"
                        + "\"spectral_field_terms\":3}")));
        // numbers as other writers give them
        assertEquals(
                new FnoConfig(2, 4, 1, 8),
                NetworkConfig.read(
                        parse("{\"architecture\":\"fno\",\"modes\":2,\"width\":4.0,\"layers\":1,\"projection\":8}")));
    }

    @Test
    void malformedFormsAreNamedProblems() throws Exception {
        String unknown = assertThrows(
                        InvalidInputException.class,
                        () -> NetworkConfig.read(parse("{\"architecture\":\"transformer\"}")))
                .getMessage();
        assertTrue(
                unknown.contains("unknown network architecture 'transformer'") && unknown.contains("surrogate-net"),
                unknown);
        for (String[] bad : new String[][] {
            {"{\"architecture\":\"fno\",\"modes\":2,\"width\":4.5,\"layers\":1,\"projection\":8}", "'width'"},
            {"{\"architecture\":\"fno\",\"modes\":2,\"width\":4,\"layers\":\"1\",\"projection\":8}", "layers"},
            {"{\"architecture\":\"unet\",\"width\":16,\"dropout\":0.1}", "'levels'"},
            {"{\"architecture\":\"unet\",\"width\":16,\"levels\":5,\"dropout\":1}", "dropout"},
            {"{\"architecture\":\"mlp\",\"hidden\":[3],\"outputs\":1,\"gain\":1,\"input_gain\":1}", "time_scaled"},
            {"{\"architecture\":\"surrogate-net\"}", "max_span"},
            {"{\"width\":32,\"blocks\":4,\"kernel\":4,\"dilations\":[1],\"activation\":\"gelu\"}", "odd kernel"}
        }) {
            String message = assertThrows(InvalidInputException.class, () -> NetworkConfig.read(parse(bad[0])), bad[0])
                    .getMessage();
            assertTrue(message.startsWith("bad network description") && message.contains(bad[1]), message);
        }
        assertThrows(InvalidInputException.class, () -> NetworkConfig.fromMap(null));
        assertThrows(InvalidInputException.class, () -> NetworkConfig.read(parse("[1]")));
    }
}
