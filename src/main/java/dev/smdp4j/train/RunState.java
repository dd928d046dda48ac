package dev.smdp4j.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import java.util.List;
import java.util.Map;

/**
 * Where a training run stands, as its checkpoints record it (fields of the checkpoint's metadata,
 * bound by Jackson) and {@code --resume} reads it back.
 *
 * @param position where the next step starts
 * @param epochTally the current epoch's loss sums so far (mid-epoch), so that a resumed run's
 *     history equals an uninterrupted one; absent in older checkpoints: empty
 * @param complete whether the schedule completed
 * @param optimizerSteps Adam's step count
 * @param selectionMetric the validation metric that selects {@code best.ckpt}
 * @param bestSelection its best value so far, or null if none yet; older checkpoints stored it as
 *     {@code best_val_ode_mse} only (also a surrogate's one-step error), which is read in its place
 * @param bestValidationOdeMse the same value for the methods whose selection metric is a validation
 *     error of samples (not the surrogate's, whose one-step error is only {@code best_selection})
 * @param posteriorSelectionMetric the metric that selects {@code best-sde.ckpt}, or null
 * @param bestPosteriorSelection its best value so far, or null
 * @param elapsedSeconds training time so far, over every resumed session
 * @param saved when the checkpoint was written (ISO-8601)
 * @param history one entry per finished epoch (see {@code history.json})
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record RunState(
        Position position,
        @JsonProperty("epoch_tally") TrainingLoop.Tally epochTally,
        boolean complete,
        @JsonProperty("optimizer_steps") long optimizerSteps,
        @JsonProperty("selection_metric") String selectionMetric,
        @JsonProperty("best_selection") Double bestSelection,

        @JsonProperty("best_val_ode_mse") @JsonInclude(JsonInclude.Include.NON_NULL)
        Double bestValidationOdeMse,

        @JsonProperty("posterior_selection_metric") @JsonInclude(JsonInclude.Include.NON_NULL)
        String posteriorSelectionMetric,

        @JsonProperty("best_posterior_selection") @JsonInclude(JsonInclude.Include.NON_NULL)
        Double bestPosteriorSelection,

        @JsonProperty("elapsed_seconds") double elapsedSeconds,
        String saved,
        List<Map<String, Object>> history) {

    /** The surrogate's selection metric, which is not an error of samples. */
    static final String ONE_STEP_METRIC = "val_one_step_rel_l2";

    /** Fills what older checkpoints lack: an empty tally and history, the best value from {@code best_val_ode_mse}. */
    public RunState {
        if (position == null) {
            throw new InvalidInputException("no training position");
        }
        epochTally = epochTally == null ? TrainingLoop.Tally.EMPTY : epochTally;
        history = history == null ? List.of() : history;
        bestSelection = bestSelection != null ? bestSelection : bestValidationOdeMse;
    }

    /**
     * The state of a run whose selection metric is {@code selectionMetric}: {@code best_val_ode_mse}
     * is set unless the metric is the surrogate's one-step error.
     */
    static RunState of(
            Position position,
            TrainingLoop.Tally tally,
            boolean complete,
            long optimizerSteps,
            String selectionMetric,
            double best,
            String posteriorMetric,
            double bestPosterior,
            double elapsedSeconds,
            String saved,
            List<Map<String, Object>> history) {
        Double bestValue = Double.isFinite(best) ? best : null;
        return new RunState(
                position,
                tally,
                complete,
                optimizerSteps,
                selectionMetric,
                bestValue,
                ONE_STEP_METRIC.equals(selectionMetric) ? null : bestValue,
                posteriorMetric,
                posteriorMetric == null ? null : Double.isFinite(bestPosterior) ? bestPosterior : null,
                elapsedSeconds,
                saved,
                history);
    }

    /** The run state recorded in a checkpoint's metadata. */
    public static RunState of(Checkpoint checkpoint) {
        try {
            return Json.mapper().treeToValue(checkpoint.metadata(), RunState.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new InvalidInputException(checkpoint.file() + ": bad training state: " + e.getMessage(), e);
        }
    }

    /** The best selection value, or infinity if there is none yet. */
    double best() {
        return bestSelection == null ? Double.POSITIVE_INFINITY : bestSelection;
    }

    /** The best posterior selection value, or infinity if there is none yet. */
    double bestPosterior() {
        return bestPosteriorSelection == null ? Double.POSITIVE_INFINITY : bestPosteriorSelection;
    }

    /** The checkpoint metadata fields. */
    Map<String, Object> toMap() {
        return Json.mapper().convertValue(this, new TypeReference<Map<String, Object>>() {});
    }
}
