// The hub's routes assembled from what `kiosk-hub serve` is given: the
// survey, its service points, the population benchmarks and the sealing
// keys, each checked here (hub_api.hpp: assemble_api).
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "document_check.hpp"
#include "hub_api.hpp"
#include "hub_keys.hpp"
#include "kiosk/config.hpp"
#include "kiosk/population.hpp"
#include "kiosk/survey.hpp"

namespace kiosk::hub {

Result<std::unique_ptr<Api>> assemble_api(HubStore& store, const HubFiles& files, const Clock& clock,
                                          std::vector<std::string>& warnings) {
  std::optional<Survey> survey;
  if (!files.survey_path.empty()) {
    auto sv = load_survey_file(files.survey_path);
    if (!sv) return sv.error();
    survey = std::move(sv).value();
  }
  ApiOptions api_opt;
  if (survey) {
    const std::string sp_path =
        files.service_points_path.empty() ? default_service_points_path(files.survey_path) : files.service_points_path;
    if (sp_path.empty())
      return make_error(ErrorKind::Config, "no service-points.toml beside " + files.survey_path +
                                               " or one folder up: give --service-points FILE");
    auto sps = load_service_points_file(sp_path);
    if (!sps) return sps.error();
    api_opt.service_points = std::move(sps).value();
    // A quiet kiosk is flagged after an hour of opening time: without hours,
    // every hour counts.
    std::string no_hours;
    for (const auto& sp : api_opt.service_points)
      if (sp.hours.empty()) no_hours += (no_hours.empty() ? "" : ", ") + sp.id;
    if (!no_hours.empty())
      warnings.push_back(sp_path + ": no opening hours for " + no_hours +
                         ": a kiosk there that goes quiet is flagged after any hour, open or closed");
  }
  if (!files.population_path.empty()) {
    if (!survey)
      return make_error(ErrorKind::Config,
                        "--population needs --survey: the benchmarks are checked against the survey");
    auto pop = load_population(files.population_path, *survey);
    if (!pop) return pop.error();
    api_opt.population = std::make_shared<const Population>(std::move(pop).value());
  }
  if (!files.key_dir.empty()) {
    // A key that cannot be used stops the hub here, naming the file: better
    // than running on and holding every sealed upload.
    auto keys = load_hub_keys(files.key_dir);
    if (!keys) return keys.error();
    api_opt.keys = std::make_shared<const HubKeys>(std::move(keys).value());
  }
  auto api = std::make_unique<Api>(store, api_opt, clock, std::move(survey));
  if (auto st = api->prepare(format_utc(clock.now())); !st) return st.error();
  return api;
}

}  // namespace kiosk::hub
